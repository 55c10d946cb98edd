package dev.fanout.worker.lambda;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.core.Json;
import dev.fanout.registry.FunctionRegistry;
import dev.fanout.worker.process.WorkerSettings;
import dev.fanout.protocol.LambdaRequest;
import dev.fanout.protocol.LambdaResponse;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;

/**
 * The native Lambda worker's runtime (provided.al2023): a plain-Java client of the Lambda Runtime API, run by the
 * application binary with the argument {@code lambda} from the zip's {@code bootstrap}. It polls
 * {@code /2018-06-01/runtime/invocation/next}, hands each chunk to {@link LambdaWorker}, and posts the answer to
 * {@code .../response} or the failure to {@code .../error}. Quarkus never starts in it: a cold start is the binary's
 * own start-up.
 */
public final class RuntimeApiClient {
    private static final String API = "/2018-06-01/runtime";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String base;

    private RuntimeApiClient(String api) {
        this.base = "http://" + api + API;
    }

    public static void main(String[] args) throws Exception {
        String api = System.getenv("AWS_LAMBDA_RUNTIME_API");
        if (api == null) {
            System.err.println("AWS_LAMBDA_RUNTIME_API is not set: this entry point runs inside AWS Lambda only");
            System.exit(2);
        }
        new RuntimeApiClient(api).run();
    }

    private void run() throws IOException, InterruptedException {
        LambdaWorker worker;
        try {
            WorkerSettings settings = new WorkerSettings();
            worker = new LambdaWorker(FunctionRegistry.discover(RuntimeApiClient.class.getClassLoader(), settings),
                    settings);
        } catch (RuntimeException | Error e) {
            post("/init/error", error(e), e.getClass().getName());
            System.exit(1);
            return;
        }
        while (true) {
            HttpResponse<byte[]> next = http.send(HttpRequest.newBuilder(URI.create(base + "/invocation/next"))
                    .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            String id = next.headers().firstValue("Lambda-Runtime-Aws-Request-Id")
                    .orElseThrow(() -> new IOException("the Runtime API sent an invocation without a request id"));
            Instant deadline = Instant.ofEpochMilli(Long.parseLong(
                    next.headers().firstValue("Lambda-Runtime-Deadline-Ms").orElse("0")));
            try {
                LambdaRequest request = read(next.body());
                LambdaResponse response = worker.handle(request, id, deadline);
                post("/invocation/" + id + "/response", Json.mapper().writeValueAsBytes(response), null);
            } catch (Exception | Error e) { // NOSONAR: every failure is reported to Lambda, as its runtime does
                post("/invocation/" + id + "/error", error(e), e.getClass().getName());
            }
        }
    }

    private static LambdaRequest read(byte[] event) {
        try {
            return Json.mapper().readValue(event, LambdaRequest.class);
        } catch (IOException e) {
            throw new BadChunkException("the event is not a chunk: " + e.getMessage());
        }
    }

    private void post(String path, byte[] body, String errorType) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/json");
        if (errorType != null) {
            b.header("Lambda-Runtime-Function-Error-Type", errorType);
        }
        http.send(b.build(), HttpResponse.BodyHandlers.discarding());
    }

    /** The error document of AWS's own runtimes: {@code {"errorMessage", "errorType", "stackTrace"}}. */
    private static byte[] error(Throwable e) throws IOException {
        ObjectNode doc = Json.mapper().createObjectNode();
        doc.put("errorMessage", String.valueOf(e.getMessage()));
        doc.put("errorType", e.getClass().getName());
        var trace = doc.putArray("stackTrace");
        StackTraceElement[] frames = e.getStackTrace();
        for (int i = 0; i < Math.min(20, frames.length); i++) {
            trace.add(frames[i].toString());
        }
        return Json.mapper().writeValueAsBytes(doc);
    }
}
