package dev.fanout.functions.http;

import dev.fanout.core.AdaptiveLimit;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The http function's manners: the requests to one host (host and port) share one adaptive concurrency limit, the
 * same {@link AdaptiveLimit} as the Lambda backend's. It starts at {@code fanout.http.max-per-host}; a 429 or 503
 * lowers it, successes raise it again, and what says nothing about the server's capacity (a connection error, a
 * timeout) changes nothing. A request waits (on its virtual thread) for room under its host's limit.
 *
 * <p>The first {@value #MAX_LABELLED} hosts are remembered for the life of the service and shown by name in the
 * metrics; the rest show together as {@code other}, and each is forgotten when its last request ends (what it learned
 * with it), so that a batch of a million hosts floods neither the metrics nor the heap.
 */
final class HostLimits {
    static final int MAX_LABELLED = 100;
    static final String OTHER = "other";

    private final int maxPerHost;
    private final ConcurrentHashMap<String, Host> hosts = new ConcurrentHashMap<>();
    private final AtomicLong otherThrottles = new AtomicLong();
    private final List<Consumer<? super Host>> watchers = new ArrayList<>();
    private int labelled;

    HostLimits(int maxPerHost) {
        this.maxPerHost = maxPerHost;
    }

    /** The host of {@code uri}, its port included when another than the scheme's. */
    /** Hosts remembered now. */
    int size() {
        return hosts.size();
    }

    Host of(URI uri) {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        String name = uri.getHost().toLowerCase(Locale.ROOT)
                + (port < 0 || (port == 80 && scheme.equals("http")) || (port == 443 && scheme.equals("https"))
                ? "" : ":" + port);
        Host host = hosts.get(name);
        return host != null ? host : hosts.computeIfAbsent(name, this::newHost);
    }

    private synchronized Host newHost(String name) {
        boolean named = labelled < MAX_LABELLED;
        Host host = new Host(name, named ? name : OTHER, AdaptiveLimit.upTo(maxPerHost),
                named ? new AtomicLong() : otherThrottles, named ? null : hosts);
        if (named) {
            labelled++;
            watchers.forEach(w -> w.accept(host));
        }
        return host;
    }

    /** Calls {@code watcher} with every host shown by name, now and as they come (the metrics' gauges). */
    synchronized void watch(Consumer<? super Host> watcher) {
        watchers.add(watcher);
        hosts.values().stream().filter(h -> !h.label.equals(OTHER)).forEach(watcher);
    }

    /** The hosts not shown by name, together: their throttles (one object, as gauges keep only weak references). */
    HostLimit other() {
        return other;
    }

    private final HostLimit other = new HostLimit() {
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

    /** One host's limit and the requests waiting for room under it. */
    static final class Host implements HostLimit {
        final String name;
        /** Its name in the metrics: its own, or {@code other}. */
        final String label;
        final AtomicLong throttles;
        private final AdaptiveLimit limit;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition room = lock.newCondition();
        /** Where an unnamed host forgets itself once idle; null for a named one. */
        private final Map<String, Host> forgetIn;

        private Host(String name, String label, AdaptiveLimit limit, AtomicLong throttles, Map<String, Host> forgetIn) {
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

        /** Waits for room under the host's limit; the permit goes back through {@link #release}. */
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

        /** Ends the request's permit with what its answer said of the server's capacity, and lets the next one go. */
        void release(AdaptiveLimit.Permit permit, Outcome outcome) {
            switch (outcome) {
                case ANSWERED -> permit.succeeded();
                case THROTTLED -> {
                    throttles.incrementAndGet();
                    permit.throttled();
                }
                case NO_ANSWER -> permit.ignored();
            }
            lock.lock();
            try {
                room.signal();
                if (forgetIn != null && limit.inFlight() == 0 && !lock.hasWaiters(room)) {
                    // a request that found this host just before still works, under a limit of its own
                    forgetIn.remove(name, this);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    enum Outcome {
        /** Any answer but 429 and 503: the server had room. */
        ANSWERED,
        /** 429 or 503: too much at once. */
        THROTTLED,
        /** No answer (a connection error, a timeout, a cancel): nothing learned. */
        NO_ANSWER
    }
}
