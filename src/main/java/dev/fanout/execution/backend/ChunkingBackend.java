package dev.fanout.execution.backend;

import dev.fanout.core.ErrorType;

import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The skeleton shared by backends that send attempts elsewhere in chunks (worker processes, Lambda): {@link #submit}
 * queues an attempt per batch, one dispatcher thread hands work over whenever there is both work and room for it, and
 * {@link #close} refuses new work and fails whatever still waits. Subclasses say what "room" is and how a chunk is
 * sent; everything they share runs under one lock, {@link #lock}, whose condition {@link #changed} is signalled at
 * every change that may let the dispatcher go on.
 *
 * <pre>
 *  submit -> queues (under lock) -> dispatcher: nextSend() under lock -> send outside the lock
 *  close  -> closed, drainWaiting() under lock -> closeResources() -> waiting attempts BACKEND_ERROR
 * </pre>
 */
public abstract class ChunkingBackend implements Backend {
    private static final System.Logger LOG = System.getLogger(ChunkingBackend.class.getName());
    protected final ReentrantLock lock = new ReentrantLock();
    protected final Condition changed = lock.newCondition();
    protected final ChunkQueues queues;
    private final String dispatcherName;
    private Thread dispatcher;
    protected volatile boolean closed;

    protected ChunkingBackend(ChunkQueues queues, String dispatcherName) {
        this.queues = queues;
        this.dispatcherName = dispatcherName;
    }

    /** Starts the dispatcher; subclasses call it at the end of their constructor, once they are ready. */
    protected final void startDispatcher() {
        dispatcher = Thread.ofVirtual().name(dispatcherName).start(this::dispatch);
    }

    @Override
    public final void submit(Attempt attempt) {
        String refused;
        lock.lock();
        try {
            refused = closed ? closedReason() : unavailableReason();
            if (refused == null) {
                queues.add(attempt);
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
        if (refused != null) {
            attempt.fail(ErrorType.BACKEND_ERROR, refused, name());
        } else {
            queued(attempt);
        }
    }

    /**
     * Tells the engine's listener (traces) that {@code chunk}, cut from one batch, goes out as one piece of work;
     * answers what to tell once it is over.
     */
    protected final ChunkTrace chunkSent(List<Attempt> chunk) {
        return chunk.getFirst().listener().chunkSent(name(), chunk.size());
    }

    /** Called after an attempt was queued, outside the lock (to register its stopper, say). */
    protected void queued(Attempt attempt) {
    }

    /**
     * Runs until the backend closes, whatever a send throws: a dead dispatcher would strand every queued attempt of
     * batches whose leases are still renewed. Subclasses fail the attempts of a chunk they could not send; an
     * exception that still comes here is logged and the dispatcher waits for the next change.
     */
    private void dispatch() {
        while (true) {
            Runnable send = null;
            lock.lock();
            try {
                while (!closed && (send = nextSendOrNull()) == null) {
                    changed.awaitUninterruptibly();
                }
                if (closed) {
                    return;
                }
            } finally {
                lock.unlock();
            }
            try {
                send.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, dispatcherName + ": a send failed; dispatching goes on", e);
            }
        }
    }

    private Runnable nextSendOrNull() {
        try {
            return nextSend();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, dispatcherName + ": choosing the next send failed; dispatching goes on "
                    + "at the next change", e);
            return null;
        }
    }

    /**
     * Under the lock: takes the next piece of work that can go now (a chunk cut from {@link #queues} for a free
     * worker, a re-send) and answers how to send it, outside the lock; null when there is nothing to do or no room.
     */
    protected abstract Runnable nextSend();

    /** Why attempts are refused once closed, e.g. "the worker process pool is shut down". */
    protected abstract String closedReason();

    /** Under the lock, once closed: every attempt still waiting (queued, or held for a re-send). */
    protected List<Attempt> drainWaiting() {
        return queues.drain();
    }

    /** Outside the lock, once closed and drained: stop workers, close clients. */
    protected abstract void closeResources();

    @Override
    public void close() {
        List<Attempt> waiting;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            changed.signalAll();
            waiting = drainWaiting();
        } finally {
            lock.unlock();
        }
        closeResources();
        for (Attempt a : waiting) {
            a.fail(ErrorType.BACKEND_ERROR, closedReason(), name());
        }
        if (dispatcher != null) {
            dispatcher.interrupt();
        }
    }
}
