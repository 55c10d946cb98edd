package dev.fanout.execution.engine;

import dev.fanout.execution.batch.Batch;
import dev.fanout.execution.batch.BatchOptions;
import dev.fanout.execution.batch.BatchState;
import dev.fanout.execution.batch.BatchStatus;
import dev.fanout.execution.batch.BatchView;
import dev.fanout.execution.batch.HandedOverException;
import dev.fanout.store.Store;
import dev.fanout.testing.store.PostgresServer;
import dev.fanout.testing.store.Stores;
import org.junit.jupiter.api.BeforeEach;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.awaitility.Awaitility.await;
import static dev.fanout.testing.Tasks.task;
import org.junit.jupiter.api.Test;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutionException;
import java.util.Set;
import java.util.List;
import java.util.HashSet;
import java.util.ArrayList;
import java.time.Duration;
import dev.fanout.core.TaskSpec;

class PostgresEngineDurabilityTest extends EngineDurabilityTest {
    private String url;

    @BeforeEach
    void database() {
        url = PostgresServer.freshDatabase();
    }

    @Override
    protected Store openStore() {
        return Stores.postgres(url);
    }

    @Test
    void aBatchTakenOverByAnotherInstanceIsFollowedThereByWhoeverWaitedHere() throws Exception {
        Engine first = engine();
        List<TaskSpec> tasks = new ArrayList<>();
        // five quick ones to wait for, then 25 x 1 s at 5 at once: the batch cannot end (which would leave nothing to
        // take over) within 5 s of them, a margin a loaded machine needs (300 ms sleeps once lost that race in CI)
        for (int i = 0; i < 30; i++) {
            tasks.add(task("t" + i, "sleep", "{\"duration\": \"" + (i < 5 ? "100ms" : "1s") + "\"}"));
        }
        Batch batch = first.submit(tasks, new BatchOptions(5, Duration.ofMinutes(1), 0, false, "vt", 0));
        await().atMost(Duration.ofSeconds(30)).until(() -> batch.completedCount() >= 5);

        // another instance takes the batch over (as after a lease that ran out) and runs the rest
        Engine second = engine();
        // a claim skips a row another transaction holds (FOR UPDATE SKIP LOCKED): the first instance's group commit
        // may hold it at that moment, and the next claim takes it
        java.util.concurrent.atomic.AtomicReference<dev.fanout.store.Store.Claim> claim =
                new java.util.concurrent.atomic.AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            long now = System.currentTimeMillis();
            var claimed = second.store().claim(second.instance(), now, now + 60_000, true, 10);
            claim.set(claimed.isEmpty() ? null : claimed.getFirst());
            return claimed.stream().map(dev.fanout.store.Store.Claim::batchId).toList().equals(List.of(batch.id()));
        });
        second.runs().resume(claim.get(), System.currentTimeMillis() + 60_000);

        ExecutionException handedOver = assertThrows(ExecutionException.class,
                () -> batch.done().get(30, TimeUnit.SECONDS), "the first instance learns it lost the batch");
        assertTrue(handedOver.getCause() instanceof HandedOverException);
        BatchView there = first.find(batch.id()).orElseThrow();
        BatchStatus status = there.done().get(60, TimeUnit.SECONDS);
        assertEquals(BatchState.SUCCEEDED, status.state());
        assertEquals(30, status.succeeded());
        Set<String> ids = new HashSet<>();
        there.page(false, 0, 100).forEach(n -> assertTrue(ids.add(n.result().id()), "once: " + n));
        assertEquals(30, ids.size());
    }
}
