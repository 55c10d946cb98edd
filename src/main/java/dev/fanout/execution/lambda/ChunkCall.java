package dev.fanout.execution.lambda;

import dev.fanout.execution.backend.Attempt;

import java.util.List;

/**
 * One chunk on its way to Lambda, possibly sent several times (throttled, refused before it started, split when
 * Lambda refused it as too large).
 *
 * @param deadlineNanos until when throttled or failed sends are retried ({@code System.nanoTime()} based)
 * @param tries         sends so far, for the backoff
 * @param payload       the event of exactly these attempts, once written; null until then
 */
record ChunkCall(List<Attempt> attempts, long deadlineNanos, int tries, byte[] payload) {

    ChunkCall retried() {
        return new ChunkCall(attempts, deadlineNanos, tries + 1, payload);
    }

    /** The attempts still waiting for a result; a cancelled batch's attempts drop out. */
    ChunkCall live() {
        List<Attempt> live = attempts.stream().filter(a -> !a.isDone()).toList();
        return live.size() == attempts.size() ? this : new ChunkCall(live, deadlineNanos, tries, null);
    }

    List<ChunkCall> halves() {
        int mid = attempts.size() / 2;
        return List.of(new ChunkCall(attempts.subList(0, mid), deadlineNanos, 0, null),
                new ChunkCall(attempts.subList(mid, attempts.size()), deadlineNanos, 0, null));
    }
}
