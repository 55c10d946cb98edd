package dev.fanout.worker.process;

import dev.fanout.core.ErrorType;
import dev.fanout.core.TaskResult;
import dev.fanout.registry.FunctionRegistry;
import dev.fanout.spi.Settings;
import dev.fanout.runner.TaskRunner;
import dev.fanout.protocol.Chunk;
import dev.fanout.protocol.Frames;
import dev.fanout.protocol.Protocol;
import dev.fanout.protocol.Reply;
import dev.fanout.protocol.WireTask;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A worker process: reads chunks from stdin, runs their tasks one after the other, writes one reply per task to
 * stdout. Started by the service's process pool; not meant to be run by hand.
 *
 * <pre>
 *  stdin  --frames--> reader thread --chunks--> main thread: TaskRunner, task by task
 *                       | EOF: the service is gone -> halt at once    | replies
 *  stdout <--frames-- writer thread (flushes whenever it runs out of replies) <-+
 * </pre>
 *
 * stdout carries the protocol only: {@code System.out} is pointed at stderr before any function runs, so a function
 * that prints cannot corrupt it. Settings for functions come from {@code -Dfanout.*} system properties.
 */
public final class WorkerMain {
    /** Exit code when the protocol breaks (a garbled frame): the service reports it with the crash. */
    static final int PROTOCOL_ERROR = 70;

    private WorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        DataOutputStream protocolOut = new DataOutputStream(new BufferedOutputStream(
                new FileOutputStream(FileDescriptor.out), 64 * 1024));
        System.setOut(System.err);
        DataInputStream protocolIn = new DataInputStream(new BufferedInputStream(
                new FileInputStream(FileDescriptor.in), 64 * 1024));

        WorkerSettings settings = new WorkerSettings();
        FunctionRegistry functions = FunctionRegistry.discover(WorkerMain.class.getClassLoader(), settings);
        TaskRunner runner = new TaskRunner(functions, settings);
        String label = "process:" + ProcessHandle.current().pid();

        BlockingQueue<Chunk> chunks = new LinkedBlockingQueue<>();
        BlockingQueue<Reply> replies = new LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon().name("fanout-worker-stdin").start(() -> readChunks(protocolIn, chunks));
        Thread.ofPlatform().daemon().name("fanout-worker-stdout").start(() -> writeReplies(protocolOut, replies));

        replies.put(Reply.hello(ProcessHandle.current().pid(), functions.all().size()));
        while (true) {
            Chunk chunk = chunks.take();
            String refused = Protocol.serves(chunk.protocol()) ? null
                    : Protocol.mismatch("worker process " + ProcessHandle.current().pid(), Protocol.VERSION,
                    Protocol.of(chunk.protocol()));
            for (int i = 0; i < chunk.tasks().size(); i++) {
                WireTask task = chunk.tasks().get(i);
                TaskResult result = refused != null
                        ? TaskResult.failed(task.id(), ErrorType.BACKEND_ERROR, refused, task.attempt(), label, null, 0)
                        : runner.run(task.spec(), task.attempt(), label);
                Thread.interrupted(); // a function's stray interrupt must not reach the next task
                replies.put(Reply.result(chunk.chunk(), i, result));
            }
        }
    }

    /** Reads chunks until stdin ends. The end means the service closed it or died: either way, stop now. */
    private static void readChunks(DataInputStream in, BlockingQueue<Chunk> chunks) {
        try {
            byte[] frame;
            while ((frame = Frames.read(in)) != null) {
                chunks.add(Frames.decodeChunk(frame));
            }
            Runtime.getRuntime().halt(0);
        } catch (IOException e) {
            System.err.println("fanout worker: broken protocol on stdin: " + e);
            Runtime.getRuntime().halt(PROTOCOL_ERROR);
        }
    }

    /** Writes replies as they come and flushes whenever none is waiting: one flush per burst, not per reply. */
    private static void writeReplies(DataOutputStream out, BlockingQueue<Reply> replies) {
        try {
            while (true) {
                Reply reply = replies.take();
                do {
                    Frames.write(out, Frames.encode(reply));
                } while ((reply = replies.poll()) != null);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // stdout is closed: the service is gone
            Runtime.getRuntime().halt(0);
        }
    }
}
