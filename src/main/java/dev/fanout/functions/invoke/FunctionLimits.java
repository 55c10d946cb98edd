package dev.fanout.functions.invoke;

import dev.fanout.core.AdaptiveLimit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The invocations of one target function (as the task names it, without qualifier: versions and aliases share the
 * function's concurrency) share one adaptive concurrency limit, the same {@link AdaptiveLimit} as the Lambda backend's
 * and the http function's hosts. It starts at {@code fanout.invoke.max-per-function}; a 429 lowers it, successes
 * raise it again, and what says nothing about Lambda's capacity (another error, no answer) changes nothing. An
 * invocation waits (on its virtual thread) for room under its function's limit.
 *
 * <p>As {@code HostLimits} does for hosts: the first {@value #MAX_LABELLED} functions are remembered for the life of
 * the service and shown by name in the metrics; the rest show together as {@code other}, and each is forgotten when
 * its last invocation ends.
 */
final class FunctionLimits {
    static final int MAX_LABELLED = 100;
    static final String OTHER = "other";

    private final int maxPerFunction;
    private final ConcurrentHashMap<String, Target> targets = new ConcurrentHashMap<>();
    private final AtomicLong otherThrottles = new AtomicLong();
    private final List<Consumer<? super Target>> watchers = new ArrayList<>();
    private int labelled;

    FunctionLimits(int maxPerFunction) {
        if (maxPerFunction < 1) {
            throw new IllegalStateException(Invoke.MAX_PER_FUNCTION + " must be at least 1, got " + maxPerFunction);
        }
        this.maxPerFunction = maxPerFunction;
    }

    int maxPerFunction() {
        return maxPerFunction;
    }

    /** Functions remembered now. */
    int size() {
        return targets.size();
    }

    Target of(FunctionRef function) {
        String name = function.unqualified();
        Target target = targets.get(name);
        return target != null ? target : targets.computeIfAbsent(name, this::newTarget);
    }

    private synchronized Target newTarget(String name) {
        boolean named = labelled < MAX_LABELLED;
        Target target = new Target(name, named ? name : OTHER, AdaptiveLimit.upTo(maxPerFunction),
                named ? new AtomicLong() : otherThrottles, named ? null : targets);
        if (named) {
            labelled++;
            watchers.forEach(w -> w.accept(target));
        }
        return target;
    }

    /** Calls {@code watcher} with every function shown by name, now and as they come (the metrics' gauges). */
    synchronized void watch(Consumer<? super Target> watcher) {
        watchers.add(watcher);
        targets.values().stream().filter(t -> !t.label.equals(OTHER)).forEach(watcher);
    }

    /** The functions not shown by name, together: their throttles (one object: gauges keep weak references). */
    FunctionLimit other() {
        return other;
    }

    private final FunctionLimit other = new FunctionLimit() {
        @Override
        public String label() {
            return OTHER;
        }

        @Override
        public int limit() {
            return 0;
        }

        @Override
        public int inFlight() {
            return 0;
        }

        @Override
        public long throttles() {
            return otherThrottles.get();
        }
    };

    /** One function's limit and the invocations waiting for room under it. */
    static final class Target implements FunctionLimit {
        final String name;
        final String label;
        private final AtomicLong throttles;
        private final AdaptiveLimit limit;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition room = lock.newCondition();
        /** Where an unnamed function forgets itself once idle; null for a named one. */
        private final Map<String, Target> forgetIn;

        private Target(String name, String label, AdaptiveLimit limit, AtomicLong throttles,
                       Map<String, Target> forgetIn) {
            this.name = name;
            this.label = label;
            this.limit = limit;
            this.throttles = throttles;
            this.forgetIn = forgetIn;
        }

        @Override
        public String label() {
            return label;
        }

        @Override
        public int limit() {
            return limit.limit();
        }

        @Override
        public int inFlight() {
            return limit.inFlight();
        }

        @Override
        public long throttles() {
            return throttles.get();
        }

        /** Waits for room under the function's limit; the permit goes back through {@link #release}. */
        AdaptiveLimit.Permit acquire() throws InterruptedException {
            var permit = limit.tryAcquire();
            if (permit.isPresent()) {
                return permit.get();
            }
            lock.lockInterruptibly();
            try {
                while ((permit = limit.tryAcquire()).isEmpty()) {
                    room.await();
                }
                if (limit.inFlight() < limit.limit()) {
                    room.signal(); // the limit grew meanwhile: room for the next one too
                }
                return permit.get();
            } finally {
                lock.unlock();
            }
        }

        /** Ends the invocation's permit with what its answer said of Lambda's capacity, and lets the next one go. */
        void release(AdaptiveLimit.Permit permit, Outcome outcome) {
            switch (outcome) {
                case TOOK_IT -> permit.succeeded();
                case THROTTLED -> {
                    throttles.incrementAndGet();
                    permit.throttled();
                }
                case UNKNOWN -> permit.ignored();
            }
            lock.lock();
            try {
                room.signal();
                if (forgetIn != null && limit.inFlight() == 0 && !lock.hasWaiters(room)) {
                    // an invocation that found this function just before still runs, under a limit of its own
                    forgetIn.remove(name, this);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    enum Outcome {
        /** Lambda took the invocation (whatever the function made of it). */
        TOOK_IT,
        /** 429: the function (or the account) is at its concurrency. */
        THROTTLED,
        /** Refused for another reason, or no answer (a connection error, a cancel): nothing learned. */
        UNKNOWN
    }
}
