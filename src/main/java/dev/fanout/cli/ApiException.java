package dev.fanout.cli;

/** An answer of the API that is not a success, with what its problem+json says to fix; the CLI exits 2 on it. */
final class ApiException extends RuntimeException {
    private final int status;

    ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}
