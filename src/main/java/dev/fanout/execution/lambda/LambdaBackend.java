package dev.fanout.execution.lambda;

import dev.fanout.core.AdaptiveLimit;
import dev.fanout.core.Durations;
import dev.fanout.core.ErrorType;
import dev.fanout.core.TaskResult;
import dev.fanout.execution.Attempt;
import dev.fanout.execution.ChunkQueues;
import dev.fanout.execution.ChunkingBackend;
import dev.fanout.protocol.Protocol;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * CPU tasks as AWS Lambda invocations of the worker function, through the AWS SDK's async client.
 *
 * <pre>
 *  submit -> ChunkQueues -> dispatcher: chunk by task count (about 1 s of work) and by bytes (6 MB limit)
 *         -> invoke (at most AdaptiveLimit's limit in flight) -> {"results": [...]} -> Attempt.complete, in order
 *  429 and failures to connect (the invocation provably never started): send again after exponential backoff with
 *       jitter, within fanout.lambda.retry-budget, without counting an attempt; a burst of 429s also lowers the limit once
 *       (successes that use it raise it again), so that a reserved concurrency below max-concurrency costs a few
 *       throttles, not a storm at every batch
 *  5xx, a connection lost after sending (the invocation may have run): BACKEND_ERROR, one attempt of each task;
 *       the engine retries it within the batch's retries
 *  function errors (the function ran, how far is unknown): Sandbox.Timedout, Runtime.* crashes, oversized answers
 *       fail every task of the chunk once (TIMEOUT / WORKER_CRASHED / ...); their retries go alone; a bad chunk is
 *       INVALID_INPUT; a sandbox that says it retired before running the chunk: sent again without counting
 *  413: split in halves (Lambda took nothing); a single task too large is INVALID_INPUT
 * </pre>
 * Timeouts are the worker's business (each task's own, inside the invocation), hence {@link #enforcesTimeouts()}.
 * Cancellation: stopped attempts are skipped when chunks are cut or sent again, and a late answer for them is dropped.
 */
public final class LambdaBackend extends ChunkingBackend {
    public static final String NAME = "lambda";
    private static final System.Logger LOG = System.getLogger(LambdaBackend.class.getName());
    private static final long TARGET_CHUNK_NANOS = 1_000_000_000L;

    private final LambdaConfig config;
    private final Invoker invoker;
    private final String unavailable;
    private final FailurePolicy policy;
    private final ChunkCutter cutter;
    private final Resender resender;
    private final Deque<ChunkCall> resends = new ArrayDeque<>();
    private final AdaptiveLimit limit;
    /** The protocol of the worker's latest answer: readiness shows it, to spot a worker of another release. */
    private volatile Integer workerProtocol;
    public final AtomicLong invocations = new AtomicLong();
    public final AtomicLong throttles = new AtomicLong();
    public final AtomicLong splits = new AtomicLong();

    public LambdaBackend(LambdaConfig config) {
        this(config, LambdaInvoker.create(config), new Resender(Resender.BACKOFF));
    }

    LambdaBackend(LambdaConfig config, Invoker invoker, Resender resender) {
        super(new ChunkQueues(TARGET_CHUNK_NANOS, 10_000), "fanout-lambda-dispatcher");
        this.config = config;
        this.policy = new FailurePolicy(config.functionName());
        this.cutter = new ChunkCutter(queues, config);
        this.limit = AdaptiveLimit.upTo(config.maxConcurrency());
        this.invoker = invoker;
        this.resender = resender;
        this.unavailable = invoker.unavailableReason();
        startDispatcher();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean enforcesTimeouts() {
        return true;
    }

    @Override
    public String unavailableReason() {
        return unavailable;
    }

    // ---- dispatch ----

    @Override
    protected Runnable nextSend() {
        while (!resends.isEmpty() || queues.size() > 0) {
            Optional<AdaptiveLimit.Permit> room = limit.tryAcquire();
            if (room.isEmpty()) {
                return null; // each call that ends signals `changed`
            }
            ChunkCall call = resends.isEmpty() ? cutter.next(limit.limit()) : resends.pollFirst().live();
            if (call == null || call.attempts().isEmpty()) {
                room.get().ignored(); // nothing live in it: cancelled meanwhile, or a task too big was answered
                continue;
            }
            return () -> send(call, room.get());
        }
        return null;
    }

    private void send(ChunkCall call, AdaptiveLimit.Permit permit) {
        byte[] payload = call.payload() != null ? call.payload() : cutter.event(call.attempts());
        long started = System.nanoTime();
        invocations.incrementAndGet();
        invoker.invoke(payload).whenComplete((outcome, error) -> {
            try {
                if (error != null) {
                    throw error instanceof RuntimeException r ? r : new IllegalStateException(error);
                }
                learn(permit, outcome);
                handle(call, outcome, System.nanoTime() - started);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "could not handle a Lambda answer", e);
                finish(call, ErrorType.BACKEND_ERROR, "could not read the Lambda answer: " + e);
            } finally {
                // here and only here: however the answer was handled, or failed to be, its room is freed once
                permit.ignored();
                signal();
            }
        });
    }

    /** Only Lambda's own answers say something about its capacity: it ran the function, or it throttled. */
    private void learn(AdaptiveLimit.Permit permit, Outcome outcome) {
        if (outcome instanceof Outcome.Answered || outcome instanceof Outcome.FunctionFailed) {
            permit.succeeded();
        } else if (outcome instanceof Outcome.ServiceFailed s && s.status() == 429) {
            throttles.incrementAndGet();
            permit.throttled();
        }
    }

    // ---- outcomes ----

    private void handle(ChunkCall call, Outcome outcome, long nanos) {
        Decision decision = policy.decide(outcome, call.attempts().size());
        if (closed && !(decision instanceof Decision.Complete)) {
            finish(call, ErrorType.BACKEND_ERROR, closedReason()); // nothing will send it again
            return;
        }
        switch (decision) {
            case Decision.Complete c -> {
                workerProtocol = Protocol.of(c.protocol());
                completed(call, c.results(), nanos);
            }
            case Decision.Fail f -> finish(call, f.type(), f.message());
            case Decision.Resend r -> resendLater(call, r.why());
            case Decision.Split s -> split(call);
        }
    }

    private void completed(ChunkCall call, List<TaskResult> results, long nanos) {
        lock.lock();
        try {
            queues.measured(call.attempts().getFirst().batchId(), nanos / call.attempts().size());
        } finally {
            lock.unlock();
        }
        for (int i = 0; i < call.attempts().size(); i++) {
            call.attempts().get(i).complete(results.get(i));
        }
    }

    private void split(ChunkCall call) {
        splits.incrementAndGet();
        lock.lock();
        try {
            List<ChunkCall> halves = call.halves();
            resends.addFirst(halves.get(1));
            resends.addFirst(halves.get(0));
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Later, within the retry budget; past it the tasks fail with the last error. */
    private void resendLater(ChunkCall call, String why) {
        long wait = resender.delayNanos(call);
        if (closed) {
            finish(call, ErrorType.BACKEND_ERROR, "the Lambda backend is shut down");
            return;
        }
        if (wait < 0) {
            finish(call, ErrorType.BACKEND_ERROR, "Lambda kept failing for longer than fanout.lambda.retry-budget ("
                    + Durations.format(config.retryBudget()) + "); last: " + why);
            return;
        }
        boolean scheduled = resender.later(call, wait, c -> {
            boolean open;
            lock.lock();
            try {
                open = !closed; // once closed, drainWaiting() has already run
                if (open) {
                    resends.addLast(c);
                    changed.signal();
                }
            } finally {
                lock.unlock();
            }
            if (!open) {
                finish(c, ErrorType.BACKEND_ERROR, closedReason());
            }
        });
        if (!scheduled) { // closed meanwhile
            finish(call, ErrorType.BACKEND_ERROR, closedReason());
        }
    }

    private void finish(ChunkCall call, ErrorType type, String message) {
        for (Attempt a : call.attempts()) {
            a.fail(type, message, NAME);
        }
    }

    private void signal() {
        lock.lock();
        try {
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    // ---- observability and shutdown ----

    /** Invocations allowed in flight now: max-concurrency, or less as learned from throttling. */
    public int concurrencyLimit() {
        return limit.limit();
    }

    @Override
    public Map<String, Object> details() {
        lock.lock();
        try {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("function", config.functionName());
            d.put("inFlight", limit.inFlight());
            d.put("concurrencyLimit", limit.limit());
            d.put("queued", queues.size());
            d.put("invocations", invocations.get());
            d.put("throttles", throttles.get());
            d.put("workerProtocol", workerProtocol);
            return d;
        } finally {
            lock.unlock();
        }
    }

    @Override
    protected String closedReason() {
        return "the Lambda backend is shut down";
    }

    @Override
    protected List<Attempt> drainWaiting() {
        List<Attempt> waiting = queues.drain();
        resends.forEach(c -> waiting.addAll(c.attempts()));
        resends.clear();
        return waiting;
    }

    @Override
    protected void closeResources() {
        resender.close().forEach(c -> finish(c, ErrorType.BACKEND_ERROR, closedReason()));
        invoker.close();
    }
}
