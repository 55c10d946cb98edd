/**
 * The Lambda backend: CPU tasks as synchronous invocations of the worker function ({@code worker.lambda}).
 *
 * <pre>
 *  Engine -> LambdaBackend.submit -> ChunkQueues (one per batch, round-robin)
 *    dispatcher: AdaptiveLimit permit? -> ChunkCutter: by count, by bytes, a retry alone -> ChunkCall
 *      -> Invoker (LambdaInvoker: AWS SDK, no SDK retries) -> Outcome (plain data, never an exception)
 *         (each send is one chunk for the engine's listener, ended with its decision: InvocationTrace)
 *      -> FailurePolicy.capacity -> the permit: TOOK_IT / FULL (429) / UNKNOWN   (the limit learns)
 *      -> FailurePolicy.decide   -> Complete | Fail | Resend | Split
 *           Complete, Fail -> Attempt.complete / Attempt.fail, once per task: the engine decides on retries
 *           Resend         -> Resender (Backoff, within the retry budget) -> back to the dispatcher, uncounted
 *           Split (413)    -> both halves back to the dispatcher, uncounted
 * </pre>
 * Only what provably never started is sent again by this package; see {@link
 * dev.fanout.execution.lambda.LambdaBackend} for what a task can rely on.
 */
package dev.fanout.execution.lambda;
