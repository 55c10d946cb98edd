package dev.fanout.testing.lambda;

import java.util.concurrent.CompletableFuture;

/** One invocation on its way through the emulator: the event in, the outcome out. */
final class Invocation {
    /** What the Invoke API answers: the payload, and the function error type when it failed ("Unhandled"). */
    record Outcome(byte[] payload, boolean functionError) {
    }

    /** The sandbox died before its runtime took the invocation: Lambda gives it to another sandbox. */
    static final Outcome UNDELIVERED = new Outcome(new byte[0], false);

    final String requestId;
    final byte[] event;
    final CompletableFuture<Outcome> outcome = new CompletableFuture<>();

    Invocation(String requestId, byte[] event) {
        this.requestId = requestId;
        this.event = event;
    }

    boolean succeed(byte[] payload) {
        return outcome.complete(new Outcome(payload, false));
    }

    /** Fails the invocation with an error document of the Lambda runtime's shape. */
    boolean fail(String errorType, String errorMessage) {
        String json = "{\"errorType\":\"" + escape(errorType) + "\",\"errorMessage\":\"" + escape(errorMessage) + "\"}";
        return outcome.complete(new Outcome(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), true));
    }

    boolean undelivered() {
        return outcome.complete(UNDELIVERED);
    }

    /** The same invocation, to hand to another sandbox. */
    Invocation again() {
        return new Invocation(requestId, event);
    }

    boolean failWith(byte[] errorDocument) {
        return outcome.complete(new Outcome(errorDocument, true));
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
