package dev.fanout.execution.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.core.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;

/**
 * A Lambda the test answers by hand: each invocation waits in {@link #next()} until the test gives its
 * {@link Outcome}. The answer is handled on the test's own thread, before {@link Call#answer} returns.
 */
final class ScriptedLambda implements Invoker {
    private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicInteger maxOutstanding = new AtomicInteger();
    private final AtomicInteger sent = new AtomicInteger();

    /** One invocation: the task ids of its event and their attempt numbers, and the means to answer it. */
    final class Call {
        final List<String> taskIds;
        final List<Integer> attempts;
        private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();

        Call(List<String> taskIds, List<Integer> attempts) {
            this.taskIds = taskIds;
            this.attempts = attempts;
        }

        /** Answers the invocation; returns once the backend has handled the answer. */
        void answer(Outcome o) {
            // the backend attaches its handler right after invoke() returns: wait for it, so that it runs here
            await().atMost(Duration.ofSeconds(10)).until(() -> outcome.getNumberOfDependents() > 0);
            outstanding.decrementAndGet();
            outcome.complete(o);
        }

        /** Answers with a success for every task. */
        void succeed() {
            ObjectNode answer = Json.mapper().createObjectNode();
            ArrayNode results = answer.putArray("results");
            for (String id : taskIds) {
                results.addObject().put("id", id).put("state", "SUCCEEDED").put("attempts", 1)
                        .put("backend", "lambda:scripted").putObject("output").put("ok", true);
            }
            answer.put("protocol", 2);
            try {
                answer(new Outcome.Answered(Json.mapper().writeValueAsBytes(answer)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final java.util.concurrent.atomic.AtomicReference<RuntimeException> throwNext =
            new java.util.concurrent.atomic.AtomicReference<>();

    /** The next invocation throws {@code e} at once, as the SDK does for a request it refuses before sending it. */
    void throwOnNextInvoke(RuntimeException e) {
        throwNext.set(e);
    }

    @Override
    public CompletableFuture<Outcome> invoke(byte[] event) {
        RuntimeException refused = throwNext.getAndSet(null);
        if (refused != null) {
            throw refused;
        }
        List<String> ids = new ArrayList<>();
        List<Integer> attempts = new ArrayList<>();
        try {
            for (JsonNode task : Json.mapper().readTree(event).path("tasks")) {
                ids.add(task.path("id").asText());
                attempts.add(task.path("attempt").asInt(1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Call call = new Call(ids, attempts);
        maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
        sent.incrementAndGet();
        calls.add(call);
        return call.outcome;
    }

    /** The next invocation sent; fails the test when none comes (a bound only a hang reaches). */
    Call next() throws InterruptedException {
        Call call = calls.poll(10, TimeUnit.SECONDS);
        if (call == null) {
            throw new AssertionError("no invocation was sent");
        }
        return call;
    }

    /** Invocations sent so far. */
    int sent() {
        return sent.get();
    }

    /** The most invocations that were ever waiting for their answer at once. */
    int maxOutstanding() {
        return maxOutstanding.get();
    }

    @Override
    public void close() {
    }
}
