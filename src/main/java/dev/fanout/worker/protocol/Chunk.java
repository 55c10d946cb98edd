package dev.fanout.worker.protocol;

import java.util.List;

/** Service -> worker: run these tasks, in order, and reply to each. */
public record Chunk(long chunk, List<WireTask> tasks) {
}
