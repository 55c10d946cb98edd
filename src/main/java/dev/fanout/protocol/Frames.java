package dev.fanout.protocol;

import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.fanout.core.Json;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;

/**
 * The framing of the worker protocol: each message is a 4-byte big-endian length followed by that many bytes of
 * UTF-8 JSON. Length prefixes (rather than newlines) keep framing independent of what a message contains.
 */
public final class Frames {
    /** Larger frames are refused: a corrupt length must not make anyone allocate gigabytes. */
    public static final int MAX_FRAME_BYTES = 256 * 1024 * 1024;

    private static final ObjectWriter CHUNK_WRITER = Json.mapper().writerFor(Chunk.class);
    private static final ObjectReader CHUNK_READER = Json.mapper().readerFor(Chunk.class);
    private static final ObjectWriter REPLY_WRITER = Json.mapper().writerFor(Reply.class);
    private static final ObjectReader REPLY_READER = Json.mapper().readerFor(Reply.class);

    private Frames() {
    }

    public static byte[] encode(Chunk chunk) throws IOException {
        return CHUNK_WRITER.writeValueAsBytes(chunk);
    }

    public static byte[] encode(Reply reply) throws IOException {
        return REPLY_WRITER.writeValueAsBytes(reply);
    }

    public static Chunk decodeChunk(byte[] frame) throws IOException {
        return CHUNK_READER.readValue(frame);
    }

    public static Reply decodeReply(byte[] frame) throws IOException {
        return REPLY_READER.readValue(frame);
    }

    public static void write(DataOutputStream out, byte[] payload) throws IOException {
        out.writeInt(payload.length);
        out.write(payload);
    }

    /** The next frame, or null at a clean end of stream (between frames). */
    public static byte[] read(DataInputStream in) throws IOException {
        int length;
        try {
            length = in.readInt();
        } catch (EOFException e) {
            return null;
        }
        if (length < 0 || length > MAX_FRAME_BYTES) {
            throw new IOException("frame length " + length + " is outside 0.." + MAX_FRAME_BYTES);
        }
        byte[] payload = new byte[length];
        in.readFully(payload);
        return payload;
    }
}
