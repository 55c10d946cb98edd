package dev.fanout.api;

import dev.fanout.api.problem.ProblemException;
import dev.fanout.execution.engine.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Optional;

/**
 * Who a request comes from, by its {@code Authorization} header: the caller of a configured key, {@link
 * Caller#ANONYMOUS} when authentication is off, the warm-up's own caller while it runs (see WarmUp). Resources ask it
 * at their method's entry and pass the caller on, so that streams answered later still know whose they are.
 */
@ApplicationScoped
public class Callers {
    @Inject
    ApiKeys keys;
    @Inject
    WarmUp warmUp;

    /**
     * The caller of {@code authorization}; empty when it carries no accepted key. The one decision of who a request
     * is: ApiKeyFilter answers 401 for empty, resources take the caller from {@link #of}.
     */
    Optional<Caller> resolve(String authorization) {
        if (!keys.enabled()) {
            return Optional.of(Caller.ANONYMOUS);
        }
        String key = ApiKeyFilter.bearer(authorization);
        if (key == null) {
            return Optional.empty();
        }
        Optional<Caller> caller = keys.resolve(key);
        // the warm-up's own key: its batches go to its private engine (WarmUp.engineFor)
        return caller.isPresent() || !warmUp.admits(key) ? caller : Optional.of(Caller.ANONYMOUS);
    }

    /**
     * The caller of {@code authorization}; a 401 problem when it carries no accepted key (which ApiKeyFilter, run
     * before every resource, has answered already, with its WWW-Authenticate header).
     */
    Caller of(String authorization) {
        return resolve(authorization).orElseThrow(() -> new ProblemException(
                ApiKeyFilter.unauthenticated(ApiKeyFilter.bearer(authorization))));
    }
}
