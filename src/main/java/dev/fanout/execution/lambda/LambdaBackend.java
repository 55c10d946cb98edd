package dev.fanout.execution.lambda;

import dev.fanout.core.AdaptiveLimit;
import dev.fanout.core.ErrorType;
import dev.fanout.core.TaskResult;
import dev.fanout.execution.backend.Attempt;
import dev.fanout.execution.backend.ChunkQueues;
import dev.fanout.execution.backend.ChunkingBackend;
import dev.fanout.execution.engine.EngineListener;
import dev.fanout.protocol.Protocol;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * CPU tasks as synchronous AWS Lambda invocations of the worker function, one chunk of tasks each (the data flow is in
 * {@link dev.fanout.execution.lambda the package's documentation}).
 *
 * <p><b>What a task can rely on.</b> Exactly one result (this backend reports each attempt at most once and never loses
 * one, also when it closes). A task runs at most as often as its result's {@code attempts} says, and never again behind
 * its result's back: every invocation holding it that may have run counts as one attempt, and a further attempt is made
 * only by the engine, within the batch's {@code retries}. A SUCCEEDED result ran; a failed attempt may or may not have
 * run (AWS cannot always tell), so with retries a task runs at least once and may run more than once: a function that
 * must not repeat its effects reads its attempt number. In detail ({@link FailurePolicy}):
 * <ul>
 *   <li>Sent again without counting, only what provably never started: no connection (refused, connect timeout, unknown
 *       host, no route), 429, a sandbox that answers {@code Fanout.SandboxRetired}, and the halves of a chunk Lambda
 *       refused as too large (413). Backoff between sends, within {@code fanout.lambda.retry-budget}; then
 *       BACKEND_ERROR.
 *   <li>Everything else fails each task of the chunk once: a 5xx or a connection lost after sending (BACKEND_ERROR: it
 *       may have run), a function error (the sandbox ran the chunk, how far is unknown: TIMEOUT, WORKER_CRASHED, ...),
 *       a worker of another protocol (BACKEND_ERROR naming both versions). A retry goes alone ({@link ChunkCutter}), so
 *       a crashing task costs the others of its chunk one attempt, not more.
 * </ul>
 * At most {@link AdaptiveLimit}'s limit of invocations are in flight: up to {@code fanout.lambda.max-concurrency},
 * lowered by throttling. Timeouts are the worker's business (each task's own, inside the invocation), hence
 * {@link #enforcesTimeouts()}. Cancellation: stopped attempts are skipped when chunks are cut or sent again, and a late
 * answer for them is dropped; an invocation already sent runs to its end in Lambda.
 */
public final class LambdaBackend extends ChunkingBackend {
    public static final String NAME = "lambda";
    static final String CLOSED = "the Lambda backend is shut down";
    private static final System.Logger LOG = System.getLogger(LambdaBackend.class.getName());
    private static final long TARGET_CHUNK_NANOS = 1_000_000_000L;

    private final LambdaConfig config;
    private final Invoker invoker;
    private final FailurePolicy policy;
    private final ChunkCutter cutter;
    private final Resender resender;
    private final AdaptiveLimit limit;
    /** Chunks to send before new ones: back from their backoff, or halves. Under the lock. */
    private final Deque<ChunkCall> resends = new ArrayDeque<>();
    /** The protocol of the worker's latest answer: readiness shows it, to spot a worker of another release. */
    private volatile Integer workerProtocol;
    public final AtomicLong invocations = new AtomicLong();
    public final AtomicLong throttles = new AtomicLong();
    public final AtomicLong splits = new AtomicLong();

    public LambdaBackend(LambdaConfig config) {
        this(config, LambdaInvoker.create(config), new Resender(Resender.BACKOFF, config.retryBudget()));
    }

    LambdaBackend(LambdaConfig config, Invoker invoker, Resender resender) {
        super(new ChunkQueues(TARGET_CHUNK_NANOS, 10_000), "fanout-lambda-dispatcher");
        this.config = config;
        this.invoker = invoker;
        this.policy = new FailurePolicy(config.functionName());
        this.cutter = new ChunkCutter(queues, config);
        this.resender = resender;
        this.limit = AdaptiveLimit.upTo(config.maxConcurrency());
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
        return invoker.unavailableReason();
    }

    // ---- dispatch ----

    @Override
    protected Runnable nextSend() {
        while (!resends.isEmpty() || queues.size() > 0) {
            Optional<AdaptiveLimit.Permit> room = limit.tryAcquire();
            if (room.isEmpty()) {
                return null; // each invocation that ends signals `changed`
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
        CompletableFuture<Outcome> answer;
        InvocationTrace[] traced = new InvocationTrace[1];
        long started = System.nanoTime();
        try {
            byte[] payload = call.payload() != null ? call.payload() : cutter.event(call.attempts());
            invocations.incrementAndGet();
            traced[0] = new InvocationTrace(chunkSent(call.attempts()), call.attempts().size());
            answer = invoker.invoke(payload);
        } catch (RuntimeException e) { // the SDK refused at once (a bad request, a closed client): no answer comes
            LOG.log(System.Logger.Level.ERROR, "could not send a chunk to Lambda", e);
            String why = "could not invoke the Lambda function: " + e;
            if (traced[0] != null) {
                traced[0].failed(why);
            }
            fail(call, ErrorType.BACKEND_ERROR, why);
            permit.ignored();
            signal();
            return;
        }
        InvocationTrace trace = traced[0];
        answer.whenComplete((outcome, error) -> {
            try {
                if (error != null) {
                    throw error instanceof RuntimeException r ? r : new IllegalStateException(error);
                }
                learn(permit, outcome);
                handle(call, outcome, System.nanoTime() - started, trace);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "could not handle a Lambda answer", e);
                String why = "could not read the Lambda answer: " + e;
                trace.failed(why);
                fail(call, ErrorType.BACKEND_ERROR, why);
            } finally {
                // here and only here: however the answer was handled, or failed to be, its room is freed once
                permit.ignored();
                signal();
            }
        });
    }

    private void learn(AdaptiveLimit.Permit permit, Outcome outcome) {
        switch (FailurePolicy.capacity(outcome)) {
            case TOOK_IT -> permit.succeeded();
            case FULL -> {
                throttles.incrementAndGet();
                permit.throttled();
            }
            case UNKNOWN -> permit.ignored();
        }
    }

    // ---- outcomes ----

    private void handle(ChunkCall call, Outcome outcome, long nanos, InvocationTrace trace) {
        Decision decision = policy.decide(outcome, call.attempts().size());
        if (closed && !(decision instanceof Decision.Complete)) {
            trace.failed(CLOSED);
            fail(call, ErrorType.BACKEND_ERROR, CLOSED); // nothing will send it again
            return;
        }
        trace.decided(decision); // before the tasks complete: the batch may end with them
        switch (decision) {
            case Decision.Complete c -> completed(call, c, nanos);
            case Decision.Fail f -> fail(call, f.type(), f.message());
            case Decision.Resend r -> resender.later(call, r.why(), this::ready)
                    .ifPresent(refused -> fail(call, ErrorType.BACKEND_ERROR, refused));
            case Decision.Split s -> split(call);
        }
    }

    private void completed(ChunkCall call, Decision.Complete answer, long nanos) {
        workerProtocol = Protocol.of(answer.protocol());
        lock.lock();
        try {
            queues.measured(call.attempts().getFirst().batchId(), nanos / call.attempts().size());
        } finally {
            lock.unlock();
        }
        List<TaskResult> results = answer.results();
        for (int i = 0; i < call.attempts().size(); i++) {
            call.attempts().get(i).complete(results.get(i));
        }
    }

    /** Lambda took nothing of a chunk too large (413): each half goes on its own, before new chunks. */
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

    /** A chunk back from its backoff goes to the dispatcher, unless closed meanwhile (drainWaiting() has run). */
    private void ready(ChunkCall call) {
        lock.lock();
        try {
            if (!closed) {
                resends.addLast(call);
                changed.signal();
                return;
            }
        } finally {
            lock.unlock();
        }
        fail(call, ErrorType.BACKEND_ERROR, CLOSED);
    }

    private void fail(ChunkCall call, ErrorType type, String message) {
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
        return CLOSED;
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
        resender.close().forEach(c -> fail(c, ErrorType.BACKEND_ERROR, CLOSED));
        invoker.close();
    }
}
