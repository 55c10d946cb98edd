package dev.fanout.api;

import dev.fanout.execution.engine.Engine;

import java.nio.file.Path;

/**
 * Makes the warm-up's private engine ({@link WarmUp}). The service wires it ({@code service.WarmUpEngines}): which
 * backend and which store an engine gets is the service's business, and the API reaches neither.
 */
public interface ScratchEngines {
    /**
     * An engine with a virtual-thread backend of its own and a scratch store like the service's (a SQLite file in
     * {@code dir} when the service's store is durable, else the memory store), for batches of up to {@code tasks}.
     */
    Engine open(Path dir, int tasks);
}
