package dev.fanout.api;

import dev.fanout.config.FanoutConfig;
import dev.fanout.execution.engine.Engine;
import io.quarkus.vertx.http.HttpServer;
import io.quarkus.vertx.http.HttpServerStart;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import io.quarkus.runtime.ImageMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Makes a user's first batch as fast as the fifth. A fresh JVM runs the HTTP layers, the request parsing, the engine
 * and the answer writing interpreted until the JIT has compiled them, and on 2 cores the compiler competes with the
 * batch: the first 100,000-task batch took about twice as long as the next ones. The JDK's own means did not close
 * that gap (measured: an AOT cache with method profiles shortened start-up by 12% but left the first batch as slow; C1
 * alone made every batch slower), and warming only the engine in-process left the HTTP layers cold (half the gap). So
 * once the HTTP server listens, the service sends itself a few batches of 1 ms sleeps through {@code POST /batches}
 * over loopback, with {@code ?wait}, before it reports ready.
 *
 * <p>They carry a bearer key made for the warm-up (random, in memory only, void once it ends), which routes them to a
 * private engine with a virtual-thread backend of its own and a scratch store (a SQLite file in a temporary directory,
 * deleted after; the memory store when the service's is that): nothing of them reaches the service's store, the
 * metrics, the batch list or the worker processes; only the log shows them. HTTP serves users meanwhile (a batch sent then simply runs,
 * slower); readiness says DOWN with "warming up" until it is done, so a load balancer sends no user there yet. A
 * warm-up that fails costs only time: the service serves cold.
 */
@ApplicationScoped
public class WarmUp {
    private static final Logger LOG = Logger.getLogger(WarmUp.class);
    private static final Duration LISTEN_TIMEOUT = Duration.ofSeconds(60);
    private static final String TASK = "{\"function\":\"sleep\",\"input\":{\"duration\":\"1ms\"}}";

    @Inject
    Engine engine;
    @Inject
    FanoutConfig config;
    @Inject
    HttpServer server;
    @Inject
    ScratchEngines scratchEngines;

    /** The warm-up's bearer key and private engine while it runs; null before and after. */
    private volatile Session session;
    private volatile boolean running;
    private volatile Thread thread;
    /** Where the warm-up sends its batches, once plain HTTP listens. */
    final CompletableFuture<URI> listening = new CompletableFuture<>();

    /** Null unless warming up; then why the service is not ready yet. */
    public String pendingReason() {
        return running ? "warming up (fanout.warmup.enabled)" : null;
    }

    private record Session(String key, Engine engine) {
        boolean admits(String bearer) {
            return bearer != null && MessageDigest.isEqual(key.getBytes(StandardCharsets.UTF_8),
                    bearer.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Whether {@code bearer} is the running warm-up's own key (compared in constant time). */
    boolean admits(String bearer) {
        Session s = session;
        return s != null && s.admits(bearer);
    }

    /** The engine a submission goes to: the private one for the warm-up's own requests, else the service's. */
    Engine engineFor(String authorization) {
        Session s = session;
        return s != null && s.admits(ApiKeyFilter.bearer(authorization)) ? s.engine() : engine;
    }

    /** Starts warming up as the service starts; it sends its batches once plain HTTP listens. */
    void onStart(@Observes StartupEvent event) {
        FanoutConfig.WarmUp c = config.warmup();
        if (!c.enabled() || c.rounds() <= 0 || c.tasks() <= 0 || ImageMode.current() == ImageMode.NATIVE_RUN) {
            return; // a native binary was compiled ahead of time: there is no JIT to warm
        }
        running = true; // from the start: readiness must not say UP before the warm-up has begun
        int tasks = Math.min(c.tasks(), config.batch().maxTasks()); // a larger batch would be refused (413)
        thread = Thread.ofPlatform().name("fanout-warmup").daemon().start(() -> {
            long start = System.nanoTime();
            try {
                URI base = listening.get(LISTEN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                run(base, c.rounds(), tasks);
                LOG.infof("warmed up in %d ms (%d batches of %d tasks through the API, on a private engine)",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), c.rounds(), tasks);
            } catch (TimeoutException e) {
                LOG.warnf("no plain HTTP listener within %ds (HTTPS only?): serving without a warm-up",
                        LISTEN_TIMEOUT.toSeconds());
            } catch (IOException | ExecutionException | RuntimeException e) {
                LOG.warnf("warming up failed after %d ms (%s); serving without it",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), e.toString());
            } catch (InterruptedException e) {
                LOG.info("warm-up stopped: the service is shutting down");
            } finally {
                running = false;
            }
        });
    }

    /**
     * A shutdown during the warm-up stops it and waits for it to close its engine and delete its files, which a
     * daemon thread cut off by the JVM's exit would leave behind.
     */
    void onStop(@Observes ShutdownEvent event) {
        Thread t = thread;
        if (t != null && t.isAlive()) {
            t.interrupt();
            try {
                t.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Plain HTTP listens (Quarkus fires this asynchronously, and not at all when only HTTPS is served). */
    void onHttpStart(@ObservesAsync HttpServerStart event) {
        String host = event.options().getHost();
        boolean any = host == null || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
        // the configured port: the port the server reports can still be unset (-1) when this event arrives, which
        // made one warm-up in seven fail; with a random port (0) that one is all there is
        int port = event.options().getPort() > 0 ? event.options().getPort() : server.getPort();
        if (port <= 0) {
            listening.completeExceptionally(new IllegalStateException("the HTTP port is not known yet"));
            return;
        }
        listening.complete(URI.create("http://" + (any ? "127.0.0.1" : host.contains(":") ? "[" + host + "]" : host)
                + ":" + port));
    }

    /** {@code rounds} batches of {@code tasks} 1 ms sleeps, NDJSON and JSON bodies in turn, each answered in full. */
    void run(URI base, int rounds, int tasks) throws IOException, InterruptedException {
        byte[] ndjson = body(tasks, "", "\n", "\n");
        byte[] json = body(tasks, "{\"tasks\":[", ",", "]}");
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        Path dir = Files.createTempDirectory("fanout-warmup");
        try (Engine warm = scratchEngines.open(dir, tasks);
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            Session s = new Session(Base64.getUrlEncoder().withoutPadding().encodeToString(secret), warm);
            session = s;
            URI uri = base.resolve("/batches?wait=1m&maxConcurrency=" + tasks);
            for (int i = 0; i < rounds; i++) {
                boolean nd = i % 2 == 0;
                HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(2))
                        .header("Authorization", "Bearer " + s.key())
                        .header("Content-Type", nd ? BatchResource.NDJSON : "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(nd ? ndjson : json)).build();
                HttpResponse<InputStream> answer = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = answer.body()) {
                    in.transferTo(OutputStream.nullOutputStream());
                }
                if (answer.statusCode() != 200) {
                    throw new IOException("POST /batches answered " + answer.statusCode());
                }
            }
        } finally {
            session = null;
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warnf("could not delete the warm-up's files in %s: %s", dir, e.toString());
        }
    }

    private static byte[] body(int tasks, String open, String separator, String close) {
        StringBuilder b = new StringBuilder(open);
        for (int i = 0; i < tasks; i++) {
            b.append(i == 0 ? "" : separator).append(TASK);
        }
        return b.append(close).toString().getBytes(StandardCharsets.UTF_8);
    }
}
