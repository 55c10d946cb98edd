/**
 * Running batches, with no framework in it: the engine ({@code engine}) takes a batch, keeps its state
 * ({@code batch}), stores what happens to it ({@code durability}) and hands its tasks to backends through one
 * contract ({@code backend}), implemented on virtual threads and a thread pool ({@code local}), worker processes
 * ({@code process}) and Lambda invocations ({@code lambda}).
 *
 * <pre>
 *  engine ------------> durability ----> store (the Store interface)
 *    |    \                 |
 *    |     +--> batch <-----+
 *    v            ^
 *  backend -------+        local, process, lambda --> backend, batch (and runner, protocol, registry)
 * </pre>
 *
 * Imports run down the picture only: {@code batch} needs neither the engine nor a backend, a backend never reaches
 * the engine, durability or another backend, and nothing here imports Quarkus, the API or the service
 * (ArchitectureTest holds this).
 */
package dev.fanout.execution;
