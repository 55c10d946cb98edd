package dev.fanout.testing.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.fanout.protocol.Protocol;
import dev.fanout.worker.lambda.UnsupportedProtocolException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** A Lambda worker of protocol 1 sent this build's events: it refuses each as the real worker refuses a newer one. */
public class OlderProtocolHandler implements RequestStreamHandler {
    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        input.readAllBytes();
        throw new UnsupportedProtocolException(Protocol.mismatch("this Lambda worker", 1, Protocol.VERSION));
    }
}
