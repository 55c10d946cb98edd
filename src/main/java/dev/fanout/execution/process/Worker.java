package dev.fanout.execution.process;

import dev.fanout.protocol.Reply;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * One worker process as the pool sees it. {@link WorkerProcess} is the real one; the pool only ever talks to this
 * interface, so that tests can drive it with fake workers and make the races between a worker's replies and the
 * pool's kills happen in a chosen order.
 */
interface Worker {

    /** What the pool learns from a worker, on a thread of the worker's own (its stdout reader). */
    interface Events {
        void hello(Worker worker, Reply.Hello hello);

        void reply(Worker worker, Reply reply);

        /**
         * The worker is gone; {@code how} says how (killed and why, or its exit status and last stderr), for results
         * and logs. Called last.
         */
        void exited(Worker worker, String how);
    }

    /** Starts one worker reporting to {@code events}. Called under the pool's lock. */
    @FunctionalInterface
    interface Launcher {
        Worker start(Events events) throws IOException;
    }

    long pid();

    /** What results name as their backend, e.g. {@code process:1234}. */
    String label();

    /** Writes one frame. A failure means the worker is dying: it kills itself and its exit is reported. */
    void send(byte[] frame);

    /** Asks the worker to finish: it exits when it sees its stdin end. */
    void closeStdin();

    /** Kills the worker and any process it started; its exit is reported as usual. */
    void kill(String because);

    CompletableFuture<?> onExit();
}
