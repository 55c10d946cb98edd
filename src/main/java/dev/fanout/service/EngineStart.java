package dev.fanout.service;

import dev.fanout.execution.engine.Engine;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Starts the engine with the service, not at the first request: batches left RUNNING in the store (a restart, a
 * crash) resume at once, and with a shared store this instance takes its part of the work.
 */
@ApplicationScoped
public class EngineStart {
    void onStart(@Observes StartupEvent event, Engine engine) {
        engine.start();
    }
}
