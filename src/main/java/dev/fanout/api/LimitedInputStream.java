package dev.fanout.api;

import dev.fanout.api.problem.ProblemException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A request body that may be at most {@code limit} bytes: counted as it streams in, so that a body over the limit is
 * refused with a problem (413) as soon as it crosses it, whatever its Content-Length said.
 */
final class LimitedInputStream extends FilterInputStream {
    private final long limit;
    private long count;

    LimitedInputStream(InputStream in, long limit) {
        super(in);
        this.limit = limit;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            counted(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            counted(n);
        }
        return n;
    }

    private void counted(int n) {
        count += n;
        if (count > limit) {
            throw ProblemException.tooLarge("the request body is over " + limit + " bytes (fanout.api.max-body-bytes); "
                    + "split the batch");
        }
    }
}
