package dev.fanout.api;

import dev.fanout.ui.DashboardResource;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Optional;

/**
 * Every API call needs {@code Authorization: Bearer <key>} with one of {@code fanout.auth.api-keys}, unless
 * authentication is off (dev and test profiles). {@code /q/*} (health, metrics, OpenAPI) is not behind it: it is not
 * served by these resources; nor are the dashboard's static files at {@code /ui}, which hold no data and ask their user
 * for a key. The key is never logged nor echoed. The service's own warm-up requests carry a key of their own, valid only
 * while it runs (see WarmUp).
 */
public class ApiKeyFilter {
    @Inject
    ApiKeys keys;
    @Inject
    WarmUp warmUp;

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> authenticate(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!keys.enabled() || DashboardResource.isDashboard(path)) {
            return Optional.empty();
        }
        String key = bearer(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (key == null) {
            return Optional.of(Response.status(401)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"fanout\"")
                    .type(Problem.MEDIA_TYPE)
                    .entity(Problem.of(401, "unauthenticated", "Unauthenticated",
                            "send an API key as 'Authorization: Bearer <key>' (keys are set with fanout.auth.api-keys)")
                            .withInstance(path))
                    .build());
        }
        if (!keys.accepts(key) && !warmUp.admits(key)) {
            return Optional.of(Response.status(403)
                    .type(Problem.MEDIA_TYPE)
                    .entity(Problem.of(403, "forbidden", "Forbidden",
                            "this API key is not accepted; check it against fanout.auth.api-keys").withInstance(path))
                    .build());
        }
        return Optional.empty();
    }

    /** The key of an {@code Authorization: Bearer <key>} header (trimmed); null for no header or another scheme. */
    static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                || authorization.length() == 7) {
            return null;
        }
        return authorization.substring(7).trim();
    }
}
