/**
 * The engine: {@code Engine} takes batches (submit, find, list, cancel, redrive), runs each one in this instance as a
 * {@code BatchRun} (a feeder handing attempts to backends in input order, retries with backoff, timeouts, failFast and
 * tolerated failures), routes each task to its backend ({@code Routes}), and with a shared store keeps its leases and
 * takes over those that lapse ({@code Leases}, {@code LocalRuns}).
 *
 * <pre>
 *  submit -> store.create -> LocalRuns.start -> BatchRun (feeder) -> Backend.submit(Attempt)
 *  Attempt.Listener (BatchRun): completed -> retry | Batch.finish -> Journal (stored, then visible)
 *  start / upkeep -> Leases: claim, renew (lost: abandon), stop requests, takeovers -> LocalRuns.resume
 * </pre>
 *
 * It may import the other execution packages, the store's interface, the registry, core and runner; never Quarkus,
 * the API, the service or a backend's implementation (those are given to it by name).
 */
package dev.fanout.execution.engine;
