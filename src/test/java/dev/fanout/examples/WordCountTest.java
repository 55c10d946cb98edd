package dev.fanout.examples;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;

/** The README's "add a function" example, run the way the README shows. */
@QuarkusTest
@Tag("quarkus")
class WordCountTest {
    @Test
    void countsWordsThroughTheApi() {
        given().contentType(ContentType.JSON)
                .body("{\"tasks\": [{\"function\": \"wordcount\", \"input\": {\"text\": \"to be or not to be\"}}]}")
                .when().post("/batches?wait=30s")
                .then().statusCode(200)
                .body("results[0].output.words", is(6));
        given().contentType(ContentType.JSON)
                .body("{\"tasks\": [{\"function\": \"wordcount\", \"input\": {}}]}")
                .when().post("/batches")
                .then().statusCode(400)
                .body("errors[0].message", is("tasks[0]: input.text: expected a string"));
    }
}
