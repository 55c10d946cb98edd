package dev.fanout.api;

import dev.fanout.api.problem.ProblemException;
import dev.fanout.registry.FunctionRegistry;
import dev.fanout.spi.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A task over {@code fanout.batch.max-task-input-bytes} is refused while it is read, not after: the reader stops a
 * little past the limit, so that what it held is bounded by the limit whatever the size of the task (a 200 MB task
 * once cost the service 380 MB of heap before its 413).
 */
class BatchRequestLimitsTest {
    private static final int LIMIT = 1_048_576;
    private final FunctionRegistry functions = FunctionRegistry.discover(getClass().getClassLoader(), Settings.EMPTY);

    @AfterEach
    void close() {
        functions.close();
    }

    /** A body made as it is read, counting what was read: {@code head}, {@code strings} strings of x, {@code tail}. */
    static final class Generated extends InputStream {
        private final byte[] head;
        private final long stringBytes;
        private final int strings;
        private final byte[] tail;
        long position;

        Generated(String head, int strings, long stringBytes, String tail) {
            this.head = head.getBytes(StandardCharsets.UTF_8);
            this.strings = strings;
            this.stringBytes = stringBytes;
            this.tail = tail.getBytes(StandardCharsets.UTF_8);
        }

        private long length() {
            return head.length + strings * (stringBytes + 9) + tail.length;
        }

        private int at(long i) {
            if (i < head.length) {
                return head[(int) i];
            }
            i -= head.length;
            long field = stringBytes + 9;
            if (i < strings * field) {
                long k = i / field;
                long j = i % field;
                // "sNN":"xxx...x", -> 9 bytes around each string besides its x's
                String around = String.format("\"s%02d\":\"", k % 100);
                if (j < 7) {
                    return around.charAt((int) j);
                }
                if (j < 7 + stringBytes) {
                    return 'x';
                }
                return j == 7 + stringBytes ? '"' : (k == strings - 1 ? ' ' : ',');
            }
            i -= strings * field;
            return i < tail.length ? tail[(int) i] : -1;
        }

        @Override
        public int read() {
            return position < length() ? at(position++) : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= length()) {
                return -1;
            }
            int n = (int) Math.min(len, length() - position);
            for (int i = 0; i < n; i++) {
                b[off + i] = (byte) at(position++);
            }
            return n;
        }
    }

    private BatchRequestReader reader() {
        return new BatchRequestReader(functions, 1000, LIMIT);
    }

    /** One NDJSON task of 20 strings of 10 MB: 200 MB. */
    private static Generated hugeTask() {
        return new Generated("{\"function\": \"sha256\", \"input\": {", 20, 10_000_000L, "}}\n");
    }

    @Test
    void aTaskOf200MbIsRefusedHavingReadLittleMoreThanTheLimit() {
        Generated body = hugeTask();
        ProblemException e = assertThrows(ProblemException.class, () -> reader().readNdjson(body));
        assertEquals(413, e.problem().status());
        assertTrue(e.problem().detail().contains("fanout.batch.max-task-input-bytes"), e.problem().detail());
        // read: the limit, plus the parser's buffer; before, all 200 MB were read (and held) first
        assertTrue(body.position < 2L * LIMIT + 64 * 1024, "read " + body.position + " bytes before refusing");
    }

    @Test
    void severalAtOnceEachStopEarly() throws Exception {
        List<CompletableFuture<Long>> readers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            readers.add(CompletableFuture.supplyAsync(() -> {
                Generated body = hugeTask();
                ProblemException e = assertThrows(ProblemException.class, () -> reader().readJson(
                        new java.io.SequenceInputStream(new ByteArrayInputStream("{\"tasks\": [".getBytes()), body)));
                assertEquals(413, e.problem().status());
                return body.position;
            }));
        }
        for (CompletableFuture<Long> r : readers) {
            long read = r.get();
            assertTrue(read < 2L * LIMIT + 64 * 1024, "read " + read + " bytes before refusing");
        }
    }

    @Test
    void aStringOverJacksonsOwnLimitIs413NamingTheLimitNotMalformedJson() {
        // 21 MB: past Jackson's default 20 MB string limit, which answered 400 "Malformed JSON"
        Generated body = new Generated("{\"function\": \"sha256\", \"input\": {", 1, 21_000_000L, "}}\n");
        ProblemException e = assertThrows(ProblemException.class, () -> reader().readNdjson(body));
        assertEquals(413, e.problem().status(), e.problem().detail());
        assertTrue(body.position < 2L * LIMIT + 64 * 1024, "read " + body.position + " bytes before refusing");
        assertTrue(e.problem().detail().contains("fanout.batch.max-task-input-bytes"), e.problem().detail());
    }

    @Test
    void aTaskJustUnderTheLimitIsRead() {
        Generated body = new Generated("{\"function\": \"noop\", \"input\": {", 1, LIMIT - 200, "}}\n");
        BatchRequestReader.Parsed parsed = reader().readNdjson(body);
        assertEquals(1, parsed.tasks().size());
    }
}
