/**
 * The contract between the engine and where tasks run: {@code Backend} takes {@code Attempt}s, each reported once
 * (started, then completed or failed) unless the engine stops it first, and the parts chunking backends share
 * ({@code ChunkingBackend}: submit, dispatch, close and drain; {@code ChunkQueues}: round-robin per batch, automatic
 * chunk sizes; {@code ChunkEncoder}: chunks cut by bytes; {@code ChunkTrace}: a chunk as the engine's listener follows
 * it).
 *
 * It imports batch (a batch's options), core, runner and protocol; never the engine, durability or a backend's
 * implementation ({@code local}, {@code process}, {@code lambda} build on this package, not on each other).
 */
package dev.fanout.execution.backend;
