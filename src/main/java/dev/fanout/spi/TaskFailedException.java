package dev.fanout.spi;

/**
 * Thrown by a function to fail its task with exactly this message: a FUNCTION_ERROR, retried when the batch asks for
 * retries. Other exceptions fail the task too, described by their class, message and the line that threw; this one is
 * for failures the function can explain better itself (a remote service's answer, a refused record).
 */
public class TaskFailedException extends Exception {
    public TaskFailedException(String message) {
        super(message);
    }

    public TaskFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
