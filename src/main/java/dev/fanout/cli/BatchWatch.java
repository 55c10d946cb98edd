package dev.fanout.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.util.Map;

/**
 * Follows a batch to its end, as {@code submit --wait} does: every result as one NDJSON line on {@code results},
 * and meanwhile its status polled for the progress on stderr. Answers the final status.
 */
final class BatchWatch {
    private final ApiClient api;
    private final String id;
    private final Progress progress;
    private final PrintWriter err;

    BatchWatch(ApiClient api, String id, Progress progress, PrintWriter err) {
        this.api = api;
        this.id = id;
        this.progress = progress;
        this.err = err;
    }

    JsonNode run(PrintWriter results) throws InterruptedException {
        Thread poller = Thread.ofVirtual().name("fanout-progress").start(this::poll);
        JsonNode end;
        try {
            end = ResultFollower.of(api, id, Map.of(), this::message).follow(results::println, Long.MAX_VALUE);
        } finally {
            results.flush();
            poller.interrupt();
            poller.join();
        }
        JsonNode status = end;
        try {
            status = api.get(BatchId.path(id), Map.of()); // with its progress, which the end event lacks
        } catch (RuntimeException e) {
            // the end event says enough
        }
        progress.finish(status);
        return status;
    }

    private void poll() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                progress.update(api.get(BatchId.path(id), Map.of()));
            } catch (RuntimeException e) {
                // the stream says when the service is gone; the bar waits
            }
            try {
                Thread.sleep(progress.redraws() ? 500 : 1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void message(String text) {
        err.println((progress.redraws() ? "\n" : "") + "fanout: " + text);
        err.flush();
    }
}
