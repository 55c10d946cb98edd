package dev.fanout.spi;

/**
 * Thrown by a function whose input is wrong; the task fails with INVALID_INPUT and is not retried.
 * The message should say which field is wrong and what is expected, e.g. {@code "limit: expected an integer >= 0"}.
 */
public class InvalidInputException extends Exception {
    public InvalidInputException(String message) {
        super(message);
    }
}
