package com.example.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.fanout.spi.InvalidInputException;
import dev.fanout.spi.Settings;
import dev.fanout.spi.TaskContext;
import dev.fanout.spi.TaskFailedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Against a web server on loopback: no network needed. */
class PageTitleTest {
    private final ObjectMapper json = new ObjectMapper();
    private final TaskContext context = new TaskContext("t1", 1, Settings.EMPTY);
    private final PageTitle function = new PageTitle();
    private HttpServer server;

    @BeforeEach
    void serve() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            boolean broken = ex.getRequestURI().getPath().equals("/broken");
            byte[] body = "<html><head><title> Quickstart </title></head></html>".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(broken ? 503 : 200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        function.close();
    }

    private JsonNode input(String path) throws Exception {
        return json.createObjectNode().put("url", "http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    @Test
    void answersTheStatusAndTitle() throws Exception {
        JsonNode out = function.apply(input("/"), context);
        assertEquals(200, out.get("status").asInt());
        assertEquals("Quickstart", out.get("title").asText());
    }

    @Test
    void aServerErrorFailsTheTaskSoThatItCanBeRetried() throws Exception {
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> function.apply(input("/broken"), context));
        assertTrue(e.getMessage().endsWith("/broken answered 503"), e.getMessage());
    }

    @Test
    void aUrlThatIsNotHttpIsRefusedAtSubmission() throws Exception {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> function.validate(json.readTree("{\"url\": \"file:///etc/passwd\"}")));
        assertTrue(e.getMessage().startsWith("input.url: expected an http or https URL"), e.getMessage());
    }
}
