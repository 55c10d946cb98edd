package dev.fanout.worker.lambda;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.core.Json;
import dev.fanout.protocol.Protocol;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Ends a Lambda sandbox that is unfit for the chunk it was just given, without running it: answers the invocation
 * with the function error {@link Protocol#SANDBOX_RETIRED} through the Runtime API (so that the invoker knows the chunk
 * never ran and sends it again without counting an attempt), then halts; Lambda starts a fresh sandbox for what comes
 * next. Both runtimes get here (the java21 handler and the native Runtime API client), hence the direct call to the
 * Runtime API: the java21 runtime reports a thrown exception itself, and then carries on in this very sandbox.
 */
final class SandboxRetirement {
    private SandboxRetirement() {
    }

    static void retire(String requestId, String why) {
        String api = System.getenv("AWS_LAMBDA_RUNTIME_API");
        if (api != null) {
            try {
                ObjectNode error = Json.mapper().createObjectNode().put("errorType", Protocol.SANDBOX_RETIRED)
                        .put("errorMessage", why);
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(
                                URI.create("http://" + api + "/2018-06-01/runtime/invocation/" + requestId + "/error"))
                        .timeout(Duration.ofSeconds(5))
                        .header("Content-Type", "application/json")
                        .header("Lambda-Runtime-Function-Error-Type", Protocol.SANDBOX_RETIRED)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(Json.mapper().writeValueAsBytes(error))).build(),
                        HttpResponse.BodyHandlers.discarding());
            } catch (Exception e) { // NOSONAR: without the answer, the exit below is a crash to the invoker: still safe
                System.err.println("could not tell Lambda that this sandbox retires: " + e);
            }
        }
        Runtime.getRuntime().halt(Protocol.RECYCLE_EXIT_STATUS);
    }
}
