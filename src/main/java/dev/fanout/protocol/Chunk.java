package dev.fanout.protocol;

import java.util.List;

/**
 * Service -> worker: run these tasks, in order, and reply to each. {@code protocol} is the sender's
 * {@link Protocol#VERSION} (absent before versioning).
 */
public record Chunk(long chunk, List<WireTask> tasks, Integer protocol) {

    public Chunk(long chunk, List<WireTask> tasks) {
        this(chunk, tasks, Protocol.VERSION);
    }
}
