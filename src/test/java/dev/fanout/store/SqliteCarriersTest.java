package dev.fanout.store;

import dev.fanout.testing.store.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SQLite's driver is native code: a virtual thread in it is pinned to its carrier, and a write waiting for the file
 * lock waits there (the busy handler). The store runs virtual threads' calls on platform threads, so that writers
 * waiting for the lock leave the carriers to everything else (IO tasks, requests).
 */
class SqliteCarriersTest {
    @TempDir
    Path dir;

    @Test
    void writersWaitingForTheFileLockLeaveTheCarriersToOtherVirtualThreads() throws Exception {
        Path file = dir.resolve("fanout.db");
        Store store = Stores.sqlite(file);
        int writers = 2 * Runtime.getRuntime().availableProcessors() + 2; // more than there are carriers
        List<CompletableFuture<String>> created = new ArrayList<>();
        try (Connection holder = DriverManager.getConnection(
                dev.fanout.config.StoreConfigInterceptor.sqliteUrl(file.toString()));
             Statement s = holder.createStatement()) {
            s.execute("BEGIN IMMEDIATE"); // another process writing: every write of the store waits for it
            try {
                for (int i = 0; i < writers; i++) {
                    String id = "b" + i;
                    CompletableFuture<String> f = new CompletableFuture<>();
                    Thread.ofVirtual().start(() -> {
                        try {
                            f.complete(store.create(StoreContractTest.batch(id, 1, 1000)));
                        } catch (Throwable t) {
                            f.completeExceptionally(t);
                        }
                    });
                    created.add(f);
                }
                // for the next 3 s, while they wait, any other virtual thread still gets a carrier at once (before:
                // once the writers were in SQLite's busy handler, every carrier was pinned there, and nothing else
                // ran until the 10 s busy timeout)
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                for (int probes = 0; System.nanoTime() < until; probes++) {
                    CountDownLatch ran = new CountDownLatch(1);
                    Thread.ofVirtual().start(ran::countDown);
                    assertTrue(ran.await(1, TimeUnit.SECONDS), "after " + probes + " probes, a virtual thread "
                            + "found no carrier while the writers waited");
                    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // pacing
                }
                assertTrue(created.stream().noneMatch(CompletableFuture::isDone), () -> "the writers wait for the "
                        + "lock: " + created.stream().filter(CompletableFuture::isDone).map(f -> f.handle((v, t) ->
                        t == null ? v : t.toString()).join()).toList());
            } finally {
                s.execute("ROLLBACK");
            }
            for (int i = 0; i < writers; i++) {
                assertEquals("b" + i, created.get(i).get(30, TimeUnit.SECONDS), "each write went through once free");
            }
        }
        store.close();
    }
}
