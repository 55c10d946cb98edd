package dev.fanout.service;

import dev.fanout.api.WarmUp;
import dev.fanout.execution.backend.Backend;
import dev.fanout.execution.engine.Engine;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while every backend and the store can take work, once the service has warmed up; the data says which one
 * cannot and why.
 */
@Readiness
@ApplicationScoped
public class BackendsHealthCheck implements HealthCheck {
    @Inject
    Engine engine;
    @Inject
    WarmUp warmUp;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("fanout-backends").up();
        for (Backend backend : engine.backends().values()) {
            String reason = backend.unavailableReason();
            b.withData(backend.name(), reason == null ? "UP" : "DOWN: " + reason);
            backend.details().forEach((k, v) -> b.withData(backend.name() + "." + k, String.valueOf(v)));
            if (reason != null) {
                b.down();
            }
        }
        String store = engine.storeUnavailableReason();
        b.withData("store", engine.store().kind() + (store == null ? ": UP" : ": DOWN: " + store));
        if (store != null) {
            b.down();
        }
        String warming = warmUp.pendingReason();
        if (warming != null) {
            b.withData("warmup", warming).down();
        }
        b.withData("runningBatches", engine.runningBatchCount());
        return b.build();
    }
}
