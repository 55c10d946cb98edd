/**
 * The JMH suite of the engine's hot paths (issue 14), each benchmark a batch of {@link dev.fanout.jmh.Workload#TASKS}
 * no-op tasks and its score microseconds per task, on the default store (SQLite):
 * <pre>
 *  VirtualThreadsRoundTrip   submit -> store -> dispatch -> run -> complete -> journal, on virtual threads
 *  ProcessRoundTrip          the same on 2 worker processes (chunks over pipes)
 *  ResultStreaming           a finished batch's results read back from the store and written as NDJSON
 *  api.RequestParsingBenchmark  an NDJSON request body read into checked tasks (beside the package-private reader)
 * </pre>
 * {@code bench/jmh} measures; {@link dev.fanout.jmh.JmhSuiteTest} runs each once on a small batch so that none rots.
 */
package dev.fanout.jmh;
