package dev.fanout.functions.exec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Drains a child's output on a virtual thread, keeping the first {@code cap} bytes and counting the rest: the child
 * never blocks on a full pipe, and a chatty one cannot fill the service's memory.
 */
final class CappedReader {
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final Thread thread;
    private volatile long total;

    private CappedReader(InputStream in, long cap) {
        thread = Thread.ofVirtual().start(() -> {
            byte[] buffer = new byte[8192];
            try (in) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    int keep = (int) Math.max(0, Math.min(n, cap - kept.size()));
                    synchronized (kept) {
                        kept.write(buffer, 0, keep);
                    }
                    total += n;
                }
            } catch (IOException e) {
                // the process was killed: what was read is kept
            }
        });
    }

    static CappedReader start(InputStream in, long cap) {
        return new CappedReader(in, cap);
    }

    /**
     * Waits until the stream ends, then answers the kept text. A grandchild that kept the pipe open after the process
     * exited gets two seconds, not more.
     */
    String text() throws InterruptedException {
        thread.join(java.time.Duration.ofSeconds(2));
        synchronized (kept) {
            return kept.toString(StandardCharsets.UTF_8);
        }
    }

    long total() {
        return total;
    }
}
