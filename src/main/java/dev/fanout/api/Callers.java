package dev.fanout.api;

import dev.fanout.execution.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

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
     * The caller of {@code authorization}; a 401 problem when it carries no accepted key (which ApiKeyFilter, run
     * before every resource, has answered already, with its WWW-Authenticate header).
     */
    Caller of(String authorization) {
        if (!keys.enabled()) {
            return Caller.ANONYMOUS;
        }
        String key = ApiKeyFilter.bearer(authorization);
        if (key == null) {
            throw new ProblemException(ApiKeyFilter.unauthenticated(null));
        }
        return keys.resolve(key).orElseGet(() -> {
            if (warmUp.admits(key)) {
                return Caller.ANONYMOUS; // its batches go to its private engine (WarmUp.engineFor)
            }
            throw new ProblemException(ApiKeyFilter.unauthenticated(key));
        });
    }

    /** A 401's {@code WWW-Authenticate} (RFC 6750): {@code error="invalid_token"} when a key was sent. */
    static Response.ResponseBuilder challenge(Response.ResponseBuilder answer, boolean keySent) {
        return answer.header(HttpHeaders.WWW_AUTHENTICATE, keySent
                ? "Bearer realm=\"fanout\", error=\"invalid_token\"" : "Bearer realm=\"fanout\"");
    }
}
