package dev.fanout.testing.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A Lambda function of the tests' own (not fanout's worker), for the {@code invoke} function: answers
 * {@code {"echo": <its payload>}}. A payload object may ask for more: {@code "ms": N} sleeps N ms first (so that
 * invocations overlap), {@code "fail": "message"} throws an IllegalArgumentException with that message (the runtime
 * reports its errorType and errorMessage), {@code "raw": "text"} answers the text as it is (not JSON).
 */
public class EchoHandler implements RequestStreamHandler {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonNode payload = MAPPER.readTree(input.readAllBytes());
        if (payload.path("ms").canConvertToLong()) {
            try {
                Thread.sleep(payload.get("ms").longValue());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (payload.hasNonNull("fail")) {
            throw new IllegalArgumentException(payload.get("fail").asText());
        }
        if (payload.hasNonNull("raw")) {
            output.write(payload.get("raw").asText().getBytes(StandardCharsets.UTF_8));
            return;
        }
        output.write(MAPPER.writeValueAsBytes(MAPPER.createObjectNode()
                .set("echo", payload.isMissingNode() ? NullNode.instance : payload)));
    }
}
