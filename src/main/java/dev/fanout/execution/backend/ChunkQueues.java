package dev.fanout.execution.backend;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Attempts waiting for a chunking backend, one queue per batch, served round-robin so that a big batch cannot starve
 * a small one. Chunks are cut from one batch at a time, sized like {@code ProcessPoolExecutor.map}'s chunksize: the
 * batch's {@code chunkSize} when it gives one, else enough tasks for about the target time of work (measured as
 * results come back), never more than a fair share of what is queued. Not thread-safe: the backend's lock guards it.
 */
public final class ChunkQueues {
    private static final double EWMA_WEIGHT = 0.2;
    private static final int REMEMBERED_BATCHES = 256;

    private final LinkedHashMap<String, ArrayDeque<Attempt>> queues = new LinkedHashMap<>();
    /** Average nanoseconds per task of recent batches, as measured by the pool. */
    private final Map<String, Double> taskNanos = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Double> eldest) {
            return size() > REMEMBERED_BATCHES;
        }
    };
    private final long targetChunkNanos;
    private final int maxAutoChunk;
    private long size;

    /**
     * @param targetChunkNanos how much work an automatic chunk should hold: enough to make dispatch cheap, little
     *                         enough to spread the work
     * @param maxAutoChunk     the largest automatic chunk
     */
    public ChunkQueues(long targetChunkNanos, int maxAutoChunk) {
        this.targetChunkNanos = targetChunkNanos;
        this.maxAutoChunk = maxAutoChunk;
    }

    public void add(Attempt attempt) {
        queues.computeIfAbsent(attempt.batchId(), k -> new ArrayDeque<>()).addLast(attempt);
        size++;
    }

    /** Puts attempts back at the head of their batch's queue, in their order (the rest of a dead worker's chunk). */
    public void requeueFirst(List<Attempt> attempts) {
        for (int i = attempts.size() - 1; i >= 0; i--) {
            Attempt a = attempts.get(i);
            queues.computeIfAbsent(a.batchId(), k -> new ArrayDeque<>()).addFirst(a);
            size++;
        }
    }

    /** Attempts waiting, including ones stopped meanwhile (they are dropped when reached). */
    public long size() {
        return size;
    }

    /**
     * The next chunk: up to the chosen size of live attempts from the next batch in turn; empty when none waits.
     *
     * @param workers how many chunks can run at once: a chunk is at most a fair share of what is queued
     * @param limit   at most this many (a worker close to its maxTasksPerWorker), at least 1
     */
    public List<Attempt> nextChunk(int workers, int limit) {
        while (!queues.isEmpty()) {
            Map.Entry<String, ArrayDeque<Attempt>> head = queues.entrySet().iterator().next();
            String batchId = head.getKey();
            ArrayDeque<Attempt> queue = head.getValue();
            queues.remove(batchId);
            int want = Math.min(limit, chunkSize(batchId, queue, workers));
            List<Attempt> chunk = new ArrayList<>(want);
            Attempt a;
            while (chunk.size() < want && (a = queue.pollFirst()) != null) {
                size--;
                if (!a.isDone()) { // stopped while waiting: its result is already known
                    chunk.add(a);
                }
            }
            if (!queue.isEmpty()) {
                queues.put(batchId, queue); // to the end of the line: round-robin
            }
            if (!chunk.isEmpty()) {
                return chunk;
            }
        }
        return List.of();
    }

    private int chunkSize(String batchId, ArrayDeque<Attempt> queue, int workers) {
        int explicit = queue.peekFirst().options().chunkSize();
        if (explicit > 0) {
            return explicit;
        }
        Double nanos = taskNanos.get(batchId);
        int bySpeed = nanos == null ? 1 : (int) Math.max(1, Math.min(maxAutoChunk, targetChunkNanos / nanos));
        int fairShare = (int) Math.max(1, (queue.size() + workers - 1) / workers);
        return Math.min(bySpeed, fairShare);
    }

    /** Records how long one task of the batch took, from the pool's point of view. */
    public void measured(String batchId, long nanos) {
        taskNanos.merge(batchId, (double) Math.max(nanos, 1),
                (old, now) -> old * (1 - EWMA_WEIGHT) + now * EWMA_WEIGHT);
    }

    /** Empties every queue, answering what was waiting. */
    public List<Attempt> drain() {
        List<Attempt> all = new ArrayList<>();
        queues.values().forEach(all::addAll);
        queues.clear();
        size = 0;
        return all;
    }
}
