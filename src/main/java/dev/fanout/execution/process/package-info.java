/**
 * The worker process pool: CPU tasks run in long-lived OS processes ({@code WorkerMain}) that speak length-prefixed
 * JSON frames over their stdin and stdout.
 *
 * <pre>
 *  submit -> ChunkQueues (per batch, round-robin)
 *         -> ProcessBackend.nextSend (dispatcher, under the lock): an IDLE worker; a chunk cut by count, then by
 *            bytes (ChunkEncoder, maxFrameBytes; a task too big for any frame: INVALID_INPUT)
 *         -> Assignments.assign: the worker is BUSY, its first attempt started, the chunk told to the engine's
 *            listener (a span when tracing), which hears of its end at the last reply or at the worker's exit
 *         -> Worker.send (outside the lock): the frame -> worker stdin
 *  worker stdout -> WorkerProcess reader thread -> WorkerPool (Worker.Events):
 *         hello  -> STARTING becomes IDLE (another protocol version: killed, a failed start); the breaker resets
 *         reply  -> Assignments.replied: that attempt completes, the next one of the chunk starts
 *         exit   -> its own failure: the running task WORKER_CRASHED; killed by the pool: nobody blamed;
 *                   either way the rest of its chunk is requeued first and a replacement started
 *  engine stops an attempt -> Assignments.runningOn -> that worker is killed: DYING, it accepts nothing more
 *  failures before hello -> RestartBreaker: a few restarts at once, then one try per backoff (restartBackoff
 *         doubling up to maxRestartBackoff), for ever; while no worker works the backend is unavailable and the
 *         waiting attempts fail with BACKEND_ERROR; the first hello makes it available again
 * </pre>
 *
 * One lock (the backend's) guards all the bookkeeping; results decided under it go through an {@code Outbox} and are
 * completed after it is released. {@code Worker} is the seam: tests drive the pool with fake workers.
 */
package dev.fanout.execution.process;
