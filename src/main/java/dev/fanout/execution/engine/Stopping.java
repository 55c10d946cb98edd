package dev.fanout.execution.engine;

import dev.fanout.execution.backend.Backend;
import dev.fanout.execution.durability.Journal;
import dev.fanout.store.Store;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How an engine stops: gracefully ({@link #shutdown}: the running batches get their grace, then are left in a durable
 * store for the next run or another instance, or cancelled with the memory store) or at once ({@link #close}).
 */
final class Stopping {
    private static final System.Logger LOG = System.getLogger(Engine.class.getName());

    private final Admissions admissions;
    private final LocalRuns runs;
    private final Store store;
    private final Journal journal;
    private final RunContext context;
    private final Routes routes;
    private final String instance;

    Stopping(Admissions admissions, LocalRuns runs, Store store, Journal journal, RunContext context, Routes routes,
             String instance) {
        this.admissions = admissions;
        this.runs = runs;
        this.store = store;
        this.journal = journal;
        this.context = context;
        this.routes = routes;
        this.instance = instance;
    }

    /** See {@link Engine#shutdown}: answers how many batches did not finish. */
    int shutdown(Duration grace) {
        List<BatchRun> active = admissions.stop();
        CompletableFuture<?> all = CompletableFuture.allOf(
                active.stream().map(r -> r.batch().done()).toArray(CompletableFuture[]::new));
        if (await(all, grace)) {
            return 0;
        }
        int left = 0;
        for (BatchRun r : active) {
            if (!r.batch().isFinished()) {
                left++;
                if (store.durable()) {
                    r.abandon();
                } else {
                    r.shutDown();
                }
            }
        }
        if (!store.durable()) {
            active.forEach(r -> await(r.batch().done(), Duration.ofSeconds(10)));
        }
        return left;
    }

    /** See {@link Engine#close}. */
    void close() {
        admissions.refuseAll();
        for (BatchRun run : runs.all()) {
            if (store.durable()) {
                run.abandon();
            } else {
                run.cancel(true, "batch cancelled");
            }
        }
        journal.close();
        if (store.durable()) {
            try {
                store.release(instance);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "could not give up leases: " + e.getMessage());
            }
        }
        context.close();
        for (Backend b : routes.backends().values()) {
            b.close();
        }
        store.close();
    }

    /** Whether {@code f} completed within {@code wait} (handed over to another instance counts: nothing to wait for). */
    static boolean await(CompletableFuture<?> f, Duration wait) {
        try {
            f.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return true; // handed over (HandedOverException): this instance has no more to wait for
        }
    }
}
