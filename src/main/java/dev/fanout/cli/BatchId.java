package dev.fanout.cli;

import picocli.CommandLine.Parameters;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** The batch a command is about, as a picocli mixin: its id, the first parameter. */
final class BatchId {
    @Parameters(index = "0", paramLabel = "ID", description = "the batch, as submit printed its id")
    String id;

    /** {@code /batches/{id}}, the id encoded: whatever is typed stays one path segment. */
    String path() {
        return path(id);
    }

    static String path(String id) {
        return "/batches/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
