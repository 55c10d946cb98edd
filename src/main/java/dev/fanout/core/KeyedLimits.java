package dev.fanout.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The calls to one key share one adaptive concurrency limit, the same {@link AdaptiveLimit} as the Lambda backend's:
 * the http function's requests to one host (host and port), the invoke function's invocations of one Lambda function
 * (without qualifier: versions and aliases share the function's concurrency). Each key's limit starts at the most the
 * operator allows ({@code fanout.http.max-per-host}, {@code fanout.invoke.max-per-function}); a throttle lowers it,
 * successes raise it again, and what says nothing about the other side's capacity (no answer, another error) changes
 * nothing. A call waits (on its virtual thread) for room under its key's limit. The caller names the key and says
 * what each answer was ({@link Outcome}).
 *
 * <p>The first {@value #MAX_LABELLED} keys are remembered for the life of the service and shown by name in the
 * metrics; the rest show together as {@code other}, and each is forgotten when its last call ends (what it learned
 * with it), so that a batch of a million hosts or functions floods neither the metrics nor the heap.
 */
public final class KeyedLimits {
    public static final int MAX_LABELLED = 100;
    public static final String OTHER = "other";

    private final int max;
    private final ConcurrentHashMap<String, Key> keys = new ConcurrentHashMap<>();
    private final AtomicLong otherThrottles = new AtomicLong();
    private final List<Consumer<? super Key>> watchers = new ArrayList<>();
    private int labelled;

    /** @param max each key's limit at most, and where it starts (below 1, each key's first call fails) */
    public KeyedLimits(int max) {
        this.max = max;
    }

    public int max() {
        return max;
    }

    /** Keys remembered now. */
    public int size() {
        return keys.size();
    }

    /** The limit of {@code name}: the one shared with every call to it in flight or remembered. */
    public Key of(String name) {
        Key key = keys.get(name);
        return key != null ? key : keys.computeIfAbsent(name, this::newKey);
    }

    private synchronized Key newKey(String name) {
        boolean named = labelled < MAX_LABELLED;
        Key key = new Key(name, named ? name : OTHER, AdaptiveLimit.upTo(max),
                named ? new AtomicLong() : otherThrottles, named ? null : keys);
        if (named) {
            labelled++;
            watchers.forEach(w -> w.accept(key));
        }
        return key;
    }

    /** Calls {@code watcher} with every key shown by name, now and as they come (the metrics' gauges). */
    public synchronized void watch(Consumer<? super Key> watcher) {
        watchers.add(watcher);
        keys.values().stream().filter(k -> !k.label.equals(OTHER)).forEach(watcher);
    }

    /** The keys not shown by name, together: their throttles (one object, as gauges keep only weak references). */
    public KeyedLimit other() {
        return other;
    }

    private final KeyedLimit other = new KeyedLimit() {
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

    /** One key's limit and the calls waiting for room under it. */
    public static final class Key implements KeyedLimit {
        private final String name;
        /** Its name in the metrics: its own, or {@code other}. */
        private final String label;
        private final AtomicLong throttles;
        private final AdaptiveLimit limit;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition room = lock.newCondition();
        /** Where an unnamed key forgets itself once idle; null for a named one. */
        private final Map<String, Key> forgetIn;

        private Key(String name, String label, AdaptiveLimit limit, AtomicLong throttles, Map<String, Key> forgetIn) {
            this.name = name;
            this.label = label;
            this.limit = limit;
            this.throttles = throttles;
            this.forgetIn = forgetIn;
        }

        /** The key as the caller named it (whatever its label). */
        public String name() {
            return name;
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

        /** Waits for room under the key's limit; the permit goes back through {@link #release}. */
        public AdaptiveLimit.Permit acquire() throws InterruptedException {
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

        /** Ends the call's permit with what its answer said of the other side's capacity, and lets the next one go. */
        public void release(AdaptiveLimit.Permit permit, Outcome outcome) {
            switch (outcome) {
                case TOOK_IT -> permit.succeeded();
                case THROTTLED -> {
                    throttles.incrementAndGet();
                    permit.throttled();
                }
                case NOTHING_LEARNED -> permit.ignored();
            }
            lock.lock();
            try {
                room.signal();
                if (forgetIn != null && limit.inFlight() == 0 && !lock.hasWaiters(room)) {
                    // a call that found this key just before still runs, under a limit of its own
                    forgetIn.remove(name, this);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** What a call's answer said of the other side's capacity; which answers are which is the caller's. */
    public enum Outcome {
        /** It took the call (whatever the call's own result, as any http answer but 429 and 503): it had room. */
        TOOK_IT,
        /** Too much at once (http's 429 or 503, Lambda's 429): counted, and the limit shrinks. */
        THROTTLED,
        /** No answer (a connection error, a timeout, a cancel) or another refusal: nothing learned. */
        NOTHING_LEARNED
    }
}
