package dev.fanout.store;

import dev.fanout.core.ErrorType;
import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static dev.fanout.testing.Tasks.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every store owes the engine, run against each kind on a real database. */
public abstract class StoreContractTest {
    protected Store store;

    protected abstract Store createStore();

    @BeforeEach
    void open() {
        store = createStore();
    }

    @AfterEach
    void close() {
        store.close();
    }

    static List<TaskSpec> tasks(int n) {
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tasks.add(task("t" + i, "primes", "{\"limit\": " + (100 + i) + "}"));
        }
        return tasks;
    }

    /** Applies {@code changes} as the first run of their batches writes them (the one that created them). */
    Set<String> apply(List<Change> changes) {
        return apply(Store.FIRST_EPOCH, changes);
    }

    /** Applies {@code changes} as a run of their batches at {@code epoch}. */
    Set<String> apply(long epoch, List<Change> changes) {
        Map<String, Long> epochs = new HashMap<>();
        changes.forEach(c -> epochs.put(c.batchId(), epoch));
        return store.apply(epochs, changes);
    }

    static List<String> claimed(List<Store.Claim> claims) {
        return claims.stream().map(Store.Claim::batchId).toList();
    }

    static NewBatch batch(String id, int n, long createdAt) {
        return new NewBatch(id, "{\"retries\":0}", createdAt, tasks(n), null, null, "me", createdAt + 15_000);
    }

    static TaskResult ok(String id, int attempts) {
        return TaskResult.succeeded(id, dev.fanout.core.Json.mapper().createObjectNode().put("n", 1), attempts, "here",
                java.time.Instant.parse("2026-01-01T00:00:00Z"), 5);
    }

    static TaskResult failed(String id) {
        return TaskResult.failed(id, ErrorType.FUNCTION_ERROR, "boom", 1, "here", null, 0);
    }

    @Test
    void concurrentWritersNeverFailEachOther() throws Exception {
        store.create(batch("b1", 300, 1000));
        // results (owner read, then rows written) while batches with keys are created (key read, then rows written):
        // each transaction reads before it writes, and another one commits in between
        var results = java.util.concurrent.CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 300; i++) {
                assertEquals(Set.of(), apply(List.of(new Change.Finished("b1", i, i + 1, ok("t" + i, 1)))));
            }
        });
        var creations = java.util.concurrent.CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 100; i++) {
                store.create(new NewBatch("k" + i, "{}", 2000, tasks(3), "key-" + i, "hash", "me", 20_000));
                store.requestStop("k" + i, "batch cancelled", true);
            }
        });
        results.get(120, java.util.concurrent.TimeUnit.SECONDS);
        creations.get(120, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(300, store.find("b1").orElseThrow().succeeded());
        assertEquals(101, store.count());
    }

    @Test
    void twoRequestsWithTheSameNewKeyGetTheSameBatch() throws Exception {
        for (int round = 0; round < 20; round++) {
            var barrier = new java.util.concurrent.CyclicBarrier(2);
            String key = "key-" + round;
            List<java.util.concurrent.CompletableFuture<String>> ids = new ArrayList<>();
            for (String id : List.of("a" + round, "b" + round)) {
                ids.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        barrier.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return store.create(new NewBatch(id, "{}", 1000, tasks(50), key, "hash", "me", 20_000));
                }));
            }
            String first = ids.get(0).get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(first, ids.get(1).get(60, java.util.concurrent.TimeUnit.SECONDS), "round " + round);
        }
        assertEquals(20, store.count(), "one batch per key");
    }

    @Test
    void keepsABatchWithEveryTask() {
        String id = store.create(batch("b1", 300, 1000));
        assertEquals("b1", id);
        StoredBatch row = store.find("b1").orElseThrow();
        assertEquals("RUNNING", row.state());
        assertEquals(300, row.total());
        assertEquals("{\"retries\":0}", row.options());
        Store.Resumable loaded = store.load("b1").orElseThrow();
        assertEquals(300, loaded.tasks().size());
        assertEquals("t299", loaded.tasks().get(299).spec().id());
        assertEquals(399, loaded.tasks().get(299).spec().input().get("limit").asInt());
        assertNull(loaded.tasks().getFirst().result());
        assertEquals(1, store.count());
    }

    @Test
    void recordsOneResultPerTaskAndCountsIt() {
        store.create(batch("b1", 3, 1000));
        Set<String> stale = apply(List.of(new Change.Started("b1", 0, 1),
                new Change.Finished("b1", 0, 1, ok("t0", 1)), new Change.Finished("b1", 2, 2, failed("t2")),
                new Change.Progress("b1", 1)));
        assertTrue(stale.isEmpty());
        Change.Finished again = new Change.Finished("b1", 0, 3, failed("t0"));
        assertEquals(Set.of("b1"), apply(List.of(again)), "a second result of a task is never recorded, "
                + "and the writer hears that its view of the batch is stale");
        StoredBatch row = store.find("b1").orElseThrow();
        assertEquals(1, row.succeeded());
        assertEquals(1, row.failed());
        assertEquals(1, row.running());
        assertEquals(2, row.maxSeq());
        Store.Resumable loaded = store.load("b1").orElseThrow();
        assertEquals(ok("t0", 1), loaded.tasks().get(0).result());
        assertEquals(1, loaded.tasks().get(0).seq());
        assertNull(loaded.tasks().get(1).result());
    }

    @Test
    void anInstanceThatLostABatchWritesNoResultOfIt() {
        if (!store.durable()) {
            return; // one instance: nobody else can hold a batch
        }
        store.create(new NewBatch("b1", "{}", 1000, tasks(2), null, null, "old-owner", 2000));
        store.claim("new-owner", 3000, 20_000, false, 10);
        Change.Finished late = new Change.Finished("b1", 0, 1, ok("t0", 1));
        assertEquals(Set.of("b1"), apply(1, List.of(new Change.Started("b1", 1, 1), late,
                new Change.Progress("b1", 7), new Change.Ended("b1", "SUCCEEDED", 4000))));
        assertTrue(store.results("b1", false, 0, 10).isEmpty());
        StoredBatch row = store.find("b1").orElseThrow();
        assertEquals(0, row.running(), "nothing of a lost batch is written: not its counts");
        assertEquals("RUNNING", row.state(), "nor its end");
        assertEquals(0, store.load("b1").orElseThrow().tasks().get(1).attempts(), "nor its starts");
        assertEquals(Set.of(), apply(2, List.of(new Change.Finished("b1", 0, 1, ok("t0", 2)))));
        assertEquals(2, store.results("b1", false, 0, 10).getFirst().result().attempts());
    }

    @Test
    void aFinishedBatchTakesNoWritesOfAnyKind() {
        store.create(batch("b1", 1, 1000));
        apply(List.of(new Change.Finished("b1", 0, 1, ok("t0", 1)),
                new Change.Ended("b1", "SUCCEEDED", 2000)));
        // a writer paused before the end (as its owner, with its claim) wakes up and writes what it had queued
        assertEquals(Set.of("b1"), apply(List.of(new Change.Started("b1", 0, 2),
                new Change.Progress("b1", 5))));
        StoredBatch row = store.find("b1").orElseThrow();
        assertEquals(0, row.running(), "a finished batch shows no task running");
        assertEquals(1, store.load("b1").orElseThrow().tasks().getFirst().attempts(), "nor takes a start");
    }

    @Test
    void aClaimOfItsOwnBatchAgainFencesTheEarlierRun() {
        if (!store.durable()) {
            return;
        }
        store.create(new NewBatch("b1", "{}", 1000, tasks(2), null, null, "me", 2000));
        // its lease ran out (the instance was paused): it claims the batch again, a new run at a new epoch
        assertEquals(List.of(new Store.Claim("b1", Store.FIRST_EPOCH + 1)), store.claim("me", 3000, 20_000, false, 10));
        assertEquals(Set.of("b1"), apply(Store.FIRST_EPOCH, List.of(new Change.Finished("b1", 0, 1, ok("t0", 1)))),
                "the earlier run's result is refused");
        assertTrue(store.results("b1", false, 0, 10).isEmpty());
        assertEquals(Set.of(), store.renew("me", 30_000, Map.of("b1", Store.FIRST_EPOCH)), "nor is its lease renewed");
        assertEquals(Set.of(), apply(Store.FIRST_EPOCH + 1, List.of(new Change.Finished("b1", 1, 1, ok("t1", 1)))));
        assertEquals(Set.of("b1"), store.renew("me", 30_000, Map.of("b1", Store.FIRST_EPOCH + 1)));
        assertEquals(1, store.results("b1", false, 0, 10).size());
    }

    @Test
    void aRedriveIsANewRunAtANewEpoch() {
        store.create(batch("b1", 1, 1000));
        apply(List.of(new Change.Finished("b1", 0, 1, failed("t0")), new Change.Ended("b1", "FAILED", 2000)));
        long epoch = store.redrive("b1", "{}", "me", 20_000).orElseThrow();
        assertTrue(epoch > Store.FIRST_EPOCH, "redriven at " + epoch);
        assertEquals(Set.of("b1"), apply(Store.FIRST_EPOCH, List.of(new Change.Ended("b1", "FAILED", 3000))),
                "the run before the redrive ends nothing");
        assertEquals("RUNNING", store.find("b1").orElseThrow().state());
        assertEquals(Set.of(), apply(epoch, List.of(new Change.Finished("b1", 0, 1, ok("t0", 2)),
                new Change.Ended("b1", "SUCCEEDED", 4000))));
        assertEquals("SUCCEEDED", store.find("b1").orElseThrow().state());
    }

    @Test
    void remembersAttemptsStarted() {
        store.create(batch("b1", 2, 1000));
        apply(List.of(new Change.Started("b1", 1, 1), new Change.Started("b1", 1, 2)));
        assertEquals(2, store.load("b1").orElseThrow().tasks().get(1).attempts());
        assertEquals(0, store.load("b1").orElseThrow().tasks().get(0).attempts());
    }

    @Test
    void readsResultsInCompletionAndInInputOrder() {
        store.create(batch("b1", 4, 1000));
        apply(List.of(new Change.Finished("b1", 2, 1, ok("t2", 1)), new Change.Finished("b1", 0, 2, ok("t0", 1)),
                new Change.Finished("b1", 3, 3, ok("t3", 1))));
        assertEquals(List.of("t2", "t0", "t3"), ids(store.results("b1", false, 0, 10)));
        assertEquals(List.of("t0", "t3"), ids(store.results("b1", false, 1, 10)));
        assertEquals(List.of("t0"), ids(store.results("b1", false, 1, 1)));
        assertEquals(List.of("t0"), ids(store.results("b1", true, 0, 10)), "input order stops at t1: no result");
        assertEquals(List.of("t2", "t3"), ids(store.results("b1", true, 2, 10)));
    }

    private static List<String> ids(List<StoredResult> results) {
        return results.stream().map(r -> r.result().id()).toList();
    }

    @Test
    void anIdempotencyKeyAnswersTheSameBatchForTheSameRequestOnly() {
        NewBatch first = new NewBatch("b1", "{}", 1000, tasks(2), "key-1", "hash-a", "me", 20_000);
        assertEquals("b1", store.create(first));
        NewBatch repeat = new NewBatch("b2", "{}", 2000, tasks(2), "key-1", "hash-a", "me", 20_000);
        assertEquals("b1", store.create(repeat));
        assertTrue(store.find("b2").isEmpty(), "nothing new stored");
        NewBatch other = new NewBatch("b3", "{}", 3000, tasks(2), "key-1", "hash-b", "me", 20_000);
        IdempotencyConflictException e = assertThrows(IdempotencyConflictException.class, () -> store.create(other));
        assertEquals("b1", e.batchId());
        assertEquals(1, store.count());
    }

    @Test
    void endsABatchOnce() {
        store.create(batch("b1", 1, 1000));
        apply(List.of(new Change.Finished("b1", 0, 1, ok("t0", 1)),
                new Change.Ended("b1", "SUCCEEDED", 5000)));
        apply(List.of(new Change.Ended("b1", "FAILED", 6000)));
        StoredBatch row = store.find("b1").orElseThrow();
        assertEquals("SUCCEEDED", row.state());
        assertEquals(5000L, row.finishedAt());
    }

    @Test
    void anInstanceThatLostABatchCannotEndIt() {
        store.create(new NewBatch("b1", "{}", 1000, tasks(1), null, null, "old-owner", 2000));
        store.claim("new-owner", 3000, 20_000, false, 10);
        apply(1, List.of(new Change.Finished("b1", 0, 1, ok("t0", 1)), new Change.Ended("b1",
                "SUCCEEDED", 4000)));
        if (store.durable()) {
            assertEquals("RUNNING", store.find("b1").orElseThrow().state(), "the new owner ends it, not the old one");
        }
        apply(2, List.of(new Change.Finished("b1", 0, 1, ok("t0", 2)), new Change.Ended("b1",
                "SUCCEEDED", 5000)));
        assertEquals("SUCCEEDED", store.find("b1").orElseThrow().state());
    }

    @Test
    void listsNewestFirst() {
        store.create(batch("old", 1, 1000));
        store.create(batch("new", 1, 2000));
        store.create(batch("mid", 1, 1500));
        assertEquals(List.of("new", "mid", "old"), store.list(0, 10).stream().map(StoredBatch::id).toList());
        assertEquals(List.of("mid"), store.list(1, 1).stream().map(StoredBatch::id).toList());
    }

    @Test
    void aStopRequestIsKeptForARunningBatchOnly() {
        store.create(batch("b1", 1, 1000));
        store.create(batch("b2", 1, 1000));
        apply(List.of(new Change.Finished("b2", 0, 1, ok("t0", 1)),
                new Change.Ended("b2", "SUCCEEDED", 2000)));
        assertTrue(store.requestStop("b1", "batch cancelled", true));
        assertFalse(store.requestStop("b2", "batch cancelled", true));
        assertFalse(store.requestStop("nope", "batch cancelled", true));
        StoredBatch row = store.find("b1").orElseThrow();
        assertEquals("batch cancelled", row.stopReason());
        assertTrue(row.stoppedByClient());
    }

    @Test
    void redriveTakesBackFailuresAndKeepsSuccesses() {
        store.create(batch("b1", 3, 1000));
        assertFalse(store.redrive("b1", "{}", "me", 9000).isPresent(), "a running batch is not redriven");
        apply(List.of(new Change.Finished("b1", 0, 1, ok("t0", 1)), new Change.Finished("b1", 1, 2, failed("t1")),
                new Change.Finished("b1", 2, 3, TaskResult.failed("t2", ErrorType.CANCELLED, "x", 0, null, null, 0)),
                new Change.Ended("b1", "FAILED", 2000)));
        assertTrue(store.redrive("b1", "{\"retries\":3}", "me", 9000).isPresent());
        StoredBatch row = store.find("b1").orElseThrow();
        assertEquals("RUNNING", row.state());
        assertEquals("{\"retries\":3}", row.options());
        assertEquals(1, row.succeeded());
        assertEquals(0, row.failed());
        assertEquals(0, row.cancelled());
        assertEquals(3, row.maxSeq(), "new results continue after the old ones");
        List<StoredTask> tasks = store.load("b1").orElseThrow().tasks();
        assertEquals(ok("t0", 1), tasks.get(0).result());
        assertNull(tasks.get(1).result());
        assertNull(tasks.get(2).result());
        assertEquals(101, tasks.get(1).spec().input().get("limit").asInt(), "the input is still there to run again");
    }

    @Test
    void eachNameKeepsItsOwnNewestBatchesAndTheirIdempotencyKeys() {
        NewBatch alices = new NewBatch("a1", "{}", 1000, tasks(1), "alice-key", "h", "me", 16_000, "alice", 1,
                Quota.NONE);
        store.create(alices);
        apply(List.of(new Change.Ended("a1", "CANCELLED", 1500)));
        for (int i = 0; i < 8; i++) { // bob's traffic after alice's batch
            store.create(owned("b" + i, "bob", 1, 2000 + i, Quota.NONE));
            end(store, "b" + i, 3000 + i);
        }
        assertEquals(6, store.expire(0, 2), "bob keeps his newest two, alice her one");
        assertTrue(store.find("a1").isPresent(), "another name's traffic never evicts alice's batch");
        assertEquals("a1", store.create(new NewBatch("a1-again", "{}", 4000, tasks(1), "alice-key", "h", "me",
                19_000, "alice", 1, Quota.NONE)), "her Idempotency-Key still answers her batch");
        assertEquals(List.of("b7", "b6"), store.list(new Scope("bob", false), null, 0, 10).stream()
                .map(StoredBatch::id).toList());
    }

    @Test
    void expiresOldFinishedBatchesButNeverRunningOnes() {
        for (int i = 0; i < 4; i++) {
            store.create(batch("f" + i, 1, 1000 + i));
            apply(List.of(new Change.Finished("f" + i, 0, 1, ok("t0", 1)),
                    new Change.Ended("f" + i, "SUCCEEDED", 10_000 + i)));
        }
        store.create(batch("running", 1, 500));
        assertEquals(1, store.expire(10_001, 100), "finished before 10,001: f0");
        assertEquals(1, store.expire(0, 2), "beyond the newest two: f1");
        assertEquals(Set.of("f2", "f3", "running"), Set.copyOf(store.list(0, 10).stream().map(StoredBatch::id).toList()));
        assertTrue(store.results("f1", false, 0, 10).isEmpty());
    }

    // ---- tenancy: each batch belongs to a key's name; quotas per name ----

    static NewBatch owned(String id, String tenant, int n, long createdAt, Quota quota) {
        return new NewBatch(id, "{}", createdAt, tasks(n), null, null, "me", createdAt + 15_000, tenant,
                Math.min(n, 2), quota);
    }

    static void end(Store store, String id, long at) {
        store.apply(java.util.Map.of(id, Store.FIRST_EPOCH), List.of(new Change.Ended(id, "CANCELLED", at)));
    }

    @Test
    void listsAndCountsByName() {
        store.create(owned("a1", "alice", 1, 1000, Quota.NONE));
        store.create(owned("b1", "bob", 1, 2000, Quota.NONE));
        store.create(owned("a2", "alice", 1, 3000, Quota.NONE));
        end(store, "a1", 3500);
        assertEquals(List.of("a2", "a1"), store.list(new Scope("alice", false), null, 0, 10).stream()
                .map(StoredBatch::id).toList());
        assertEquals(List.of("a1"), store.list(new Scope("alice", false), "CANCELLED", 0, 10).stream()
                .map(StoredBatch::id).toList());
        assertEquals(2, store.count(new Scope("alice", false), null));
        assertEquals(1, store.count(new Scope("alice", false), "RUNNING"));
        assertEquals(List.of("b1"), store.list(new Scope("bob", true), null, 0, 10).stream()
                .map(StoredBatch::id).toList());
        assertEquals(3, store.count(Scope.ALL, null));
        assertEquals("bob", store.find("b1").orElseThrow().tenant(), "the name is stored with the batch");
        assertEquals("alice", store.load("a2").orElseThrow().batch().tenant(), "and resumed with it");
    }

    @Test
    void anIdempotencyKeyBelongsToItsName() {
        NewBatch alices = new NewBatch("a1", "{}", 1000, tasks(1), "key-1", "hash-a", "me", 20_000, "alice", 1,
                Quota.NONE);
        NewBatch bobs = new NewBatch("b1", "{}", 1000, tasks(1), "key-1", "hash-b", "me", 20_000, "bob", 1,
                Quota.NONE);
        assertEquals("a1", store.create(alices));
        assertEquals("b1", store.create(bobs), "bob's key-1 is not alice's: no conflict, a batch of his own");
        assertEquals("b1", store.create(new NewBatch("b2", "{}", 2000, tasks(1), "key-1", "hash-b", "me", 20_000,
                "bob", 1, Quota.NONE)));
        IdempotencyConflictException e = assertThrows(IdempotencyConflictException.class, () -> store.create(
                new NewBatch("a2", "{}", 2000, tasks(1), "key-1", "hash-other", "me", 20_000, "alice", 1, Quota.NONE)));
        assertTrue(e.getMessage().contains("a1") && !e.getMessage().contains("b1"), e.getMessage());
        assertEquals(2, store.count());
    }

    @Test
    void maxRunningCountsTheNamesRunningBatchesOnly() {
        Quota two = new Quota(2, 0, 0);
        store.create(owned("a1", "alice", 1, 1000, two));
        store.create(owned("a2", "alice", 1, 1000, two));
        store.create(owned("b1", "bob", 1, 1000, two));
        QuotaExceededException e = assertThrows(QuotaExceededException.class,
                () -> store.create(owned("a3", "alice", 1, 1000, two)));
        assertEquals(Quota.MAX_RUNNING, e.quota());
        assertEquals(5, e.retryAfterSeconds());
        assertTrue(store.find("a3").isEmpty(), "nothing stored");
        end(store, "a1", 2000);
        assertEquals("a3", store.create(owned("a3", "alice", 1, 3000, two)), "one ended: a place is free");
    }

    @Test
    void aQuotaHoldsAgainstConcurrentSubmissions() throws Exception {
        // what two instances on one database do at once: every check and insert in one transaction per name
        Quota three = new Quota(3, 0, 0);
        var start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.CompletableFuture<Boolean>> tries = new ArrayList<>();
        try (var threads = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 20; i++) {
                String id = "c" + i;
                tries.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                        store.create(owned(id, "alice", 1, 1000, three));
                        return true;
                    } catch (QuotaExceededException e) {
                        return false;
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }, threads));
            }
            start.countDown();
            long accepted = 0;
            for (var t : tries) {
                accepted += t.get(60, java.util.concurrent.TimeUnit.SECONDS) ? 1 : 0;
            }
            assertEquals(3, accepted);
        }
        assertEquals(3, store.count(new Scope("alice", false), "RUNNING"));
    }

    @Test
    void maxConcurrencyIsAReservationFreedWhenABatchEnds() {
        Quota four = new Quota(0, 0, 4);
        store.create(owned("a1", "alice", 10, 1000, four)); // reserves 2 (owned: min(n, 2))
        store.create(owned("a2", "alice", 10, 1000, four));
        QuotaExceededException e = assertThrows(QuotaExceededException.class,
                () -> store.create(owned("a3", "alice", 1, 1000, four)));
        assertEquals(Quota.MAX_CONCURRENCY, e.quota());
        end(store, "a2", 2000);
        store.create(owned("a3", "alice", 1, 3000, four));
    }

    @Test
    void tasksPerMinuteSlideWithTheWindowAndSayWhenToComeBack() {
        Quota ten = new Quota(0, 10, 0);
        store.create(owned("a1", "alice", 4, 100_000, ten));
        store.create(owned("a2", "alice", 6, 130_000, ten));
        store.create(owned("b1", "bob", 10, 130_000, ten)); // another name's window is its own
        QuotaExceededException e = assertThrows(QuotaExceededException.class,
                () -> store.create(owned("a3", "alice", 5, 140_000, ten)));
        assertEquals(Quota.MAX_TASKS_PER_MINUTE, e.quota());
        // 4 + 6 admitted; 5 more fit only once both have left the window: a2's 6 leave at 190,000
        assertEquals(50, e.retryAfterSeconds(), e.getMessage());
        assertTrue(store.find("a3").isEmpty(), "nothing stored");
        assertThrows(QuotaExceededException.class, () -> store.create(owned("a3", "alice", 5, 189_999, ten)));
        assertEquals("a4", store.create(owned("a4", "alice", 4, 160_000, ten)), "a1's 4 have left: 4 fit");
        assertEquals("a3", store.create(owned("a3", "alice", 1, 190_000, ten)));
    }

    @Test
    void aRedriveOfMoreTasksThanTheMinuteAllowsNeverFitsAndSaysSo() {
        store.create(owned("a1", "alice", 6, 100_000, Quota.NONE)); // accepted before alice had a quota
        List<Change> failures = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            failures.add(new Change.Finished("a1", i, i + 1, failed("t" + i)));
        }
        failures.add(new Change.Ended("a1", "FAILED", 110_000));
        apply(failures);
        Quota five = new Quota(0, 5, 0);
        // 6 tasks to run again can never fit in 5 a minute: no Retry-After would help (it was a 429 for ever)
        QuotaExceededException e = assertThrows(QuotaExceededException.class,
                () -> store.redrive("a1", "{}", "me", 200_000, 2, five));
        assertEquals(Quota.MAX_TASKS_PER_MINUTE, e.quota());
        assertTrue(e.fitsNever(), e.getMessage());
        assertEquals("FAILED", store.find("a1").orElseThrow().state(), "nothing changed");
    }

    @Test
    void aDurableStoreHandsRunningBatchesToWhoeverClaimsThem() {
        if (!store.durable()) {
            return; // the memory store forgets everything with its process: nothing to claim, by design
        }
        String a = "instance-a-" + UUID.randomUUID();
        String b = "instance-b-" + UUID.randomUUID();
        store.create(new NewBatch("b1", "{}", 1000, tasks(1), null, null, a, 10_000));
        assertEquals(List.of(), claimed(store.claim(b, 5_000, 20_000, false, 10)), "a's lease holds until 10,000");
        assertEquals(Set.of("b1"), store.renew(a, 30_000, Map.of("b1", 1L)));
        assertEquals(List.of("b1"), claimed(store.claim(b, 40_000, 55_000, false, 10)), "a did not renew: b takes over");
        assertEquals(Set.of(), store.renew(a, 60_000, Map.of("b1", 1L)), "a learns it lost the batch");
        assertEquals("b", store.find("b1").orElseThrow().owner().substring(9, 10));
        store.release(b);
        assertEquals(List.of("b1"), claimed(store.claim(a, 41_000, 70_000, false, 10)), "released: claimable at once");
        assertEquals(List.of("b1"), claimed(store.claim(b, 42_000, 70_000, true, 10)), "force takes every running batch");
    }

    @Test
    void stopRequestsAreListedForTheirOwner() {
        if (!store.durable()) {
            return;
        }
        store.create(new NewBatch("b1", "{}", 1000, tasks(1), null, null, "owner-1", 10_000));
        store.requestStop("b1", "batch cancelled", true);
        assertEquals(List.of(new Store.StopRequest("b1", "batch cancelled", true)), store.stopRequests("owner-1"));
        assertEquals(List.of(), store.stopRequests("owner-2"));
    }
}
