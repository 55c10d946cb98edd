package dev.fanout.store;

import dev.fanout.testing.store.Stores;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

class PostgresStoreTest extends StoreContractTest {
    @Override
    protected Store createStore() {
        return Stores.postgres();
    }

    @Test
    void groupCommitsAndLeaseRenewalsOfManyBatchesNeverDeadlock() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int b = 0; b < 12; b++) {
            ids.add("b" + b);
            store.create(new NewBatch("b" + b, "{}", 1000, tasks(200), null, null, "me", Long.MAX_VALUE));
        }
        java.util.Map<String, Long> epochs = new java.util.HashMap<>();
        ids.forEach(id -> epochs.put(id, Store.FIRST_EPOCH));
        // group commits touch the batches in one order, renewals in the other: rows locked in different orders
        // deadlock, which PostgreSQL breaks by aborting one of them (a renewal lost is a lease lost)
        List<CompletableFuture<Void>> all = new ArrayList<>();
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(6);
        for (int writer = 0; writer < 3; writer++) {
            int first = writer * 60;
            all.add(CompletableFuture.runAsync(() -> {
            for (int round = first; round < first + 60; round++) {
                List<Change> group = new ArrayList<>();
                for (String id : ids.reversed()) {
                    group.add(new Change.Finished(id, round, round + 1, ok("t" + round, 1)));
                    group.add(new Change.Progress(id, 3));
                }
                store.apply(epochs, group);
            }
            }, threads));
            all.add(CompletableFuture.runAsync(() -> {
                for (int round = 0; round < 200; round++) {
                    store.renew("me", Long.MAX_VALUE, epochs);
                }
            }, threads));
        }
        try {
            for (CompletableFuture<Void> f : all) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
