package dev.fanout.store;

/** What another instance wrote, as a shared store tells it (PostgreSQL's LISTEN/NOTIFY). Called on one thread. */
public interface StoreEvents {
    /** New results (or the end) of a batch were stored: streams following it read on. */
    void resultsStored(String batchId);

    /** A cancel was asked for a batch: its owner stops it. */
    void stopRequested(String batchId);
}
