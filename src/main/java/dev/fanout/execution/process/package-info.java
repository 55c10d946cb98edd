/**
 * The worker process pool: CPU tasks run in long-lived OS processes ({@code WorkerMain}) that speak length-prefixed
 * JSON frames over their stdin and stdout.
 *
 * <pre>
 *  submit -> ChunkQueues (per batch, round-robin)
 *         -> ProcessBackend.nextSend (dispatcher, under the lock): an idle worker, a chunk for it
 *         -> Assignments.assign: the worker is BUSY, its first attempt started
 *         -> Worker.send (outside the lock): chunk frame -> worker stdin
 *  worker stdout -> WorkerProcess reader thread -> WorkerPool (Worker.Events):
 *         hello  -> STARTING becomes IDLE; the RestartBreaker forgets past start failures
 *         reply  -> Assignments.replied: that attempt completes, the next one of the chunk starts
 *         exit   -> running task WORKER_CRASHED, the rest of its chunk requeued first, a replacement started
 *                   (failures before hello count in the RestartBreaker: after a few, wait; none working: unavailable)
 *  engine stops an attempt -> Assignments.runningOn -> that worker is killed
 * </pre>
 *
 * One lock (the backend's) guards all the bookkeeping; results are completed after releasing it.
 */
package dev.fanout.execution.process;
