package dev.fanout.execution.lambda;

import java.util.concurrent.CompletableFuture;

/** Sends one chunk's event to the worker function: {@link LambdaInvoker} through the AWS SDK, a script in tests. */
interface Invoker extends AutoCloseable {

    /** The invocation's outcome; the future never completes exceptionally. */
    CompletableFuture<Outcome> invoke(byte[] event);

    /** Null while invocations can be sent; else why not (no region configured, say). */
    default String unavailableReason() {
        return null;
    }

    @Override
    void close();

    /** An invoker that cannot send anything, for {@code why}. */
    static Invoker unavailable(String why) {
        return new Invoker() {
            @Override
            public CompletableFuture<Outcome> invoke(byte[] event) {
                throw new IllegalStateException(why);
            }

            @Override
            public String unavailableReason() {
                return why;
            }

            @Override
            public void close() {
            }
        };
    }
}
