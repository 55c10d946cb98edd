package dev.fanout.execution.backend;

/**
 * A chunk on its way to a worker process or a Lambda invocation, as the engine's listener follows it (a trace span):
 * {@link EngineListener#chunkSent} answers one, and the backend calls {@link #ended} once.
 */
@FunctionalInterface
public interface ChunkTrace {
    ChunkTrace NONE = (outcome, succeeded, failed, why) -> {
    };

    /**
     * @param outcome   one word, e.g. {@code answered}, {@code failed}, {@code resent}, {@code split},
     *                  {@code worker-crashed}, {@code worker-stopped}
     * @param succeeded tasks of the chunk this piece of work answered SUCCEEDED
     * @param failed    tasks it answered otherwise
     * @param why       null when every task was answered; otherwise what went wrong, for people
     */
    void ended(String outcome, int succeeded, int failed, String why);
}
