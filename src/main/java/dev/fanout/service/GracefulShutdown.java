package dev.fanout.service;

import dev.fanout.config.FanoutConfig;
import dev.fanout.spi.Durations;
import dev.fanout.execution.engine.Engine;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * On SIGTERM: no new batch is taken (503), running batches get {@code fanout.shutdown.grace-period} to finish, then
 * their remaining tasks are cancelled with a result that says the service shut down. This runs in Quarkus' shutdown
 * delay, while the HTTP server still serves: clients waiting on a batch or streaming its results get those results.
 * Then Quarkus lets open requests end ({@code quarkus.shutdown.timeout}) and the engine, disposed last, stops the
 * worker processes.
 */
@ApplicationScoped
public class GracefulShutdown {
    private static final Logger LOG = Logger.getLogger(GracefulShutdown.class);

    void onStop(@Observes ShutdownDelayInitiatedEvent event, Engine engine, FanoutConfig config) {
        long running = engine.runningBatchCount();
        if (running == 0) {
            return;
        }
        LOG.infof("shutting down: %d batches running, giving them up to %s", running,
                Durations.format(config.shutdown().gracePeriod()));
        int cancelled = engine.shutdown(config.shutdown().gracePeriod());
        if (cancelled > 0) {
            LOG.warnf("shutting down: cancelled the remaining tasks of %d batches", cancelled);
        }
    }
}
