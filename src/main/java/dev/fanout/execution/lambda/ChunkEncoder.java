package dev.fanout.execution.lambda;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.fanout.core.Durations;
import dev.fanout.core.Json;
import dev.fanout.execution.Attempt;
import dev.fanout.worker.protocol.WireTask;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes a chunk as the worker's event, {@code {"tasks": [...], "taskTimeout": "30s"}}, each task serialised once,
 * so that the payload can be cut at the byte limit without writing anything twice.
 */
final class ChunkEncoder {
    private static final ObjectWriter TASK = Json.mapper().writerFor(WireTask.class);
    private static final int ENVELOPE = 64;

    private ChunkEncoder() {
    }

    /** The event of the longest head of {@code attempts} that fits {@code maxBytes}, and how many that is. */
    record Encoded(byte[] payload, int taskCount) {
    }

    /** Serialised size of one task (to tell a task too big for any invocation). */
    static byte[] task(Attempt a) {
        try {
            return TASK.writeValueAsBytes(WireTask.of(a.task(), a.number()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a task's JSON input always serialises", e);
        }
    }

    static Encoded encode(List<Attempt> attempts, int maxBytes) {
        String timeout = Durations.format(attempts.getFirst().timeout());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("{\"tasks\":[".getBytes(StandardCharsets.UTF_8));
        int count = 0;
        for (Attempt a : attempts) {
            byte[] t = task(a);
            if (out.size() + t.length + ENVELOPE > maxBytes) {
                break;
            }
            if (count > 0) {
                out.write(',');
            }
            out.writeBytes(t);
            count++;
        }
        out.writeBytes(("],\"taskTimeout\":\"" + timeout + "\"}").getBytes(StandardCharsets.UTF_8));
        return new Encoded(out.toByteArray(), count);
    }
}
