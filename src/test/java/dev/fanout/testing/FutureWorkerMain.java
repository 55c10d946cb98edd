package dev.fanout.testing;

import dev.fanout.protocol.Frames;
import dev.fanout.protocol.Reply;

import java.io.DataOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;

/**
 * A worker process from a future fanout release: it says hello in protocol {@link #PROTOCOL}, then reads its stdin
 * until it ends, answering nothing (a pool that took it for a worker would wait for replies forever).
 */
public final class FutureWorkerMain {
    public static final int PROTOCOL = 99;

    private FutureWorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        DataOutputStream out = new DataOutputStream(new FileOutputStream(FileDescriptor.out));
        Frames.write(out, Frames.encode(new Reply(new Reply.Hello(ProcessHandle.current().pid(), 0, PROTOCOL),
                0, 0, null)));
        out.flush();
        System.in.transferTo(OutputStream.nullOutputStream());
    }
}
