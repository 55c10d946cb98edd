package dev.fanout.store;

/**
 * A batch's row: its status as stored.
 *
 * @param state       RUNNING, SUCCEEDED, FAILED or CANCELLED
 * @param options     its options as JSON
 * @param running     as last reported by its owner
 * @param finishedAt  epoch ms, or null while running
 * @param stopReason  a cancel that was asked for (the rest of the batch ends CANCELLED with it), or null
 * @param maxSeq      the place of its last stored result in the completion order
 * @param tenant      the API key name it belongs to; null for a batch stored before keys had names
 */
public record StoredBatch(String id, String state, String options, int total, int running, int succeeded,
                          int failed, int cancelled, long createdAt, Long finishedAt, String stopReason,
                          boolean stoppedByClient, String owner, Long leaseUntil, int maxSeq,
                          String tenant) {

    public boolean isRunning() {
        return "RUNNING".equals(state);
    }
}
