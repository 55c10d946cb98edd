package dev.fanout.execution.backend;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.fanout.core.Json;
import dev.fanout.protocol.WireTask;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes a chunk's message for a chunking backend, {@code head + task,task,... + tail}, each task serialised once, so
 * that a chunk can be cut at a byte limit (a Lambda event's 6 MB, a worker frame's limit) without writing anything
 * twice.
 */
public final class ChunkEncoder {
    private static final ObjectWriter TASK = Json.mapper().writerFor(WireTask.class);

    private ChunkEncoder() {
    }

    /** The message of the longest head of the attempts that fits, and how many attempts that is (0: not even one). */
    public record Encoded(byte[] payload, int taskCount) {
    }

    /** One task as it travels, to tell a task too big for any message. */
    public static byte[] task(Attempt a) {
        try {
            return TASK.writeValueAsBytes(WireTask.of(a.task(), a.number()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a task's JSON input always serialises", e);
        }
    }

    /**
     * @param head     the message up to the tasks' array, e.g. {@code {"tasks":[}}
     * @param tail     the rest after it, e.g. {@code ],"taskTimeout":"30s"}}
     * @param maxBytes the whole message's limit
     */
    public static Encoded encode(List<Attempt> attempts, int maxBytes, String head, String tail) {
        byte[] h = head.getBytes(StandardCharsets.UTF_8);
        byte[] t = tail.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(h);
        int count = 0;
        for (Attempt a : attempts) {
            byte[] task = task(a);
            if (out.size() + (count > 0 ? 1 : 0) + task.length + t.length > maxBytes) {
                break;
            }
            if (count > 0) {
                out.write(',');
            }
            out.writeBytes(task);
            count++;
        }
        out.writeBytes(t);
        return new Encoded(out.toByteArray(), count);
    }
}
