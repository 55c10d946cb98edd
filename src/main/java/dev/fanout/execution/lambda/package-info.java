/**
 * The Lambda backend: CPU tasks as synchronous invocations of the worker function ({@code worker.lambda}).
 *
 * <pre>
 *  Engine -> LambdaBackend.submit -> ChunkQueues (per batch)
 *                 dispatcher: room under the limit? -> ChunkCutter (count, then bytes) -> ChunkCall
 *                                                  -> LambdaInvoker (AWS SDK) -> Outcome (plain data)
 *                 Outcome -> FailurePolicy -> Decision: Complete | Fail | Resend | Split
 *                     Complete, Fail -> Attempt.complete (the engine decides on retries)
 *                     Resend         -> Resender (backoff, within the retry budget) -> dispatcher
 *                     Split          -> both halves -> dispatcher
 * </pre>
 */
package dev.fanout.execution.lambda;
