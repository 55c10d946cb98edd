package dev.fanout.core;

import java.util.Objects;

/** Why a task did not succeed: a type from the fixed vocabulary and a human-readable message. */
public record TaskError(ErrorType type, String message) {
    public TaskError {
        Objects.requireNonNull(type, "type");
        message = message == null ? type.name() : message;
    }
}
