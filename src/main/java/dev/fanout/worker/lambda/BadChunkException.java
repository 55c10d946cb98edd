package dev.fanout.worker.lambda;

/**
 * A chunk the worker cannot run at all (no tasks, an unknown function, a bad taskTimeout): the only case where the
 * Lambda invocation fails as a whole. The invoker recognises it by its class name in the function error.
 */
public class BadChunkException extends RuntimeException {
    public BadChunkException(String message) {
        super(message);
    }
}
