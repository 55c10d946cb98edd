package dev.fanout.packaged;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A local HTTP endpoint for {@code http} tasks whose answers the test releases: a request to gate N waits until the
 * test opens gate N (gate 0 is always open). Tasks that cannot finish before the test says so make a test's timing
 * certain: a batch cannot end before a restart, a progress bar cannot skip a step.
 */
final class HttpGates implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<Integer, CountDownLatch> gates = new ConcurrentHashMap<>();

    HttpGates() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(threads); // every waiting request holds a thread
        server.createContext("/gate/", this::answer);
        server.start();
        open(0);
    }

    /** A task that succeeds once gate {@code gate} is open. */
    String task(String id, int gate) {
        return "{\"id\": \"" + id + "\", \"function\": \"http\", \"input\": {\"url\": \"http://127.0.0.1:"
                + server.getAddress().getPort() + "/gate/" + gate + "?task=" + id + "\"}}";
    }

    void open(int gate) {
        latch(gate).countDown();
    }

    private CountDownLatch latch(int gate) {
        return gates.computeIfAbsent(gate, g -> new CountDownLatch(1));
    }

    private void answer(HttpExchange x) throws IOException {
        int gate = Integer.parseInt(x.getRequestURI().getPath().substring("/gate/".length()));
        try {
            latch(gate).await(3, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        byte[] body = "open".getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(200, body.length);
        x.getResponseBody().write(body);
        x.close();
    }

    @Override
    public void close() {
        gates.values().forEach(CountDownLatch::countDown);
        server.stop(0);
        threads.shutdownNow();
    }
}
