package dev.fanout.execution.lambda;

import dev.fanout.spi.Durations;
import dev.fanout.core.ErrorType;
import dev.fanout.core.TaskResult;
import dev.fanout.execution.backend.Attempt;
import dev.fanout.execution.backend.ChunkEncoder;
import dev.fanout.execution.backend.ChunkQueues;
import dev.fanout.protocol.Protocol;

import java.util.List;

/**
 * Cuts the next chunk for an invocation from the queues: by task count ({@link ChunkQueues}), then by bytes (a
 * synchronous invocation takes at most {@link LambdaConfig#maxChunkBytes()}). Runs under the backend's lock.
 */
final class ChunkCutter {
    private final ChunkQueues queues;
    private final LambdaConfig config;

    ChunkCutter(ChunkQueues queues, LambdaConfig config) {
        this.queues = queues;
        this.config = config;
    }

    /**
     * The next chunk, its attempts started; null when there is none, or when the first task is too big for any
     * invocation (it is then answered INVALID_INPUT, and the caller asks again).
     *
     * @param concurrency invocations that can run at once: a chunk is at most a fair share of what waits
     */
    ChunkCall next(int concurrency) {
        List<Attempt> chunk = alone(queues.nextChunk(Math.max(1, concurrency), Integer.MAX_VALUE));
        if (chunk.isEmpty()) {
            return null;
        }
        ChunkEncoder.Encoded fits = encode(chunk);
        if (fits.taskCount() == 0) {
            Attempt tooBig = chunk.getFirst();
            tooBig.complete(TaskResult.failed(tooBig.task().id(), ErrorType.INVALID_INPUT, "the task is "
                    + ChunkEncoder.task(tooBig).length + " bytes as a Lambda event; one invocation takes at most "
                    + config.maxChunkBytes() + " bytes", tooBig.number(), LambdaBackend.NAME, null, 0));
            queues.requeueFirst(chunk.subList(1, chunk.size()));
            return null;
        }
        queues.requeueFirst(chunk.subList(fits.taskCount(), chunk.size()));
        List<Attempt> sent = List.copyOf(chunk.subList(0, fits.taskCount()));
        // one cancelled meanwhile stays in the event (it was written); its result will be dropped
        sent.forEach(a -> a.start(LambdaBackend.NAME));
        return new ChunkCall(sent, System.nanoTime() + config.retryBudget().toNanos(), 0, fits.payload());
    }

    /**
     * A retry goes alone: its previous attempt may have failed with its whole chunk (a crash, the function's timeout),
     * and alone it can neither take other tasks down again nor be taken down by them. The chunk ends before the first
     * retry; a retry at its head is the whole chunk.
     */
    private List<Attempt> alone(List<Attempt> chunk) {
        int keep = chunk.size();
        for (int i = 0; i < chunk.size(); i++) {
            if (chunk.get(i).number() > 1) {
                keep = Math.max(1, i);
                break;
            }
        }
        queues.requeueFirst(chunk.subList(keep, chunk.size()));
        return chunk.subList(0, keep);
    }

    /** The worker's event ({@link dev.fanout.protocol.LambdaRequest}) of exactly these attempts. */
    byte[] event(List<Attempt> attempts) {
        return encode(attempts).payload();
    }

    private ChunkEncoder.Encoded encode(List<Attempt> attempts) {
        return ChunkEncoder.encode(attempts, config.maxChunkBytes(), "{\"tasks\":[", "],\"taskTimeout\":\""
                + Durations.format(attempts.getFirst().timeout()) + "\",\"protocol\":" + Protocol.VERSION + "}");
    }
}
