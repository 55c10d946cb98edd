package dev.fanout.execution.engine;

/** A batch needs a backend that cannot take work now (its workers keep failing, for example). */
public final class BackendUnavailableException extends RuntimeException {
    private final String backend;

    public BackendUnavailableException(String backend, String reason) {
        super("backend '" + backend + "' is unavailable: " + reason);
        this.backend = backend;
    }

    public String backend() {
        return backend;
    }
}
