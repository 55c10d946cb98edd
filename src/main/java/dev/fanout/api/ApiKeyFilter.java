package dev.fanout.api;

import dev.fanout.api.problem.Problem;
import dev.fanout.api.problem.ProblemMapper;
import dev.fanout.ui.DashboardResource;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Optional;

/**
 * Every API call needs {@code Authorization: Bearer <key>} with a configured key ({@code fanout.auth.keys.<name>.key}
 * or {@code fanout.auth.api-keys}), unless authentication is off (dev and test profiles): 401 otherwise, the same
 * for a key never configured and one removed, since only the current keys' digests are known. {@code /q/*} (health,
 * metrics, OpenAPI) is not served on this port at all but on the management interface, a port of its own for the
 * private network (quarkus.management.port), with no key: here it answers 404 with or without a key, never 401,
 * which would suggest that a key opens it (and no resource can ever be served under it on the public port). The
 * dashboard's static files at {@code /ui} need no key either: they hold no data and ask their user for one. The key
 * is never logged nor echoed. The service's own warm-up requests carry a key of their own, valid only while it runs
 * (see WarmUp). What each key may see is decided by the resources, from its name ({@link Callers}).
 */
public class ApiKeyFilter {
    /** quarkus.management.root-path, left at its default. */
    private static final String MANAGEMENT_ROOT = "/q";

    @Inject
    Callers callers;

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> authenticate(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (isManagement(path)) {
            return Optional.of(Response.status(404).type(Problem.MEDIA_TYPE)
                    .entity(ProblemMapper.notFound(path).withInstance(path)).build());
        }
        String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (DashboardResource.isDashboard(path) || callers.resolve(authorization).isPresent()) {
            return Optional.empty();
        }
        String key = bearer(authorization);
        // RFC 6750: error="invalid_token" when a key was sent
        return Optional.of(Response.status(401)
                .header(HttpHeaders.WWW_AUTHENTICATE, key == null
                        ? "Bearer realm=\"fanout\"" : "Bearer realm=\"fanout\", error=\"invalid_token\"")
                .type(Problem.MEDIA_TYPE).entity(unauthenticated(key).withInstance(path)).build());
    }

    /** Whether {@code path} is under the management interface's root, {@code /q}. */
    static boolean isManagement(String path) {
        return path.equals(MANAGEMENT_ROOT) || path.startsWith(MANAGEMENT_ROOT + "/");
    }

    /** The 401 for no key ({@code key} null) or a key that is not (or no longer) accepted; never echoes the key. */
    static Problem unauthenticated(String key) {
        return Problem.of(401, "unauthenticated", "Unauthenticated", key == null
                ? "send an API key as 'Authorization: Bearer <key>' (keys are set with fanout.auth.keys.<name>.key "
                        + "or fanout.auth.api-keys)"
                : "this API key is not accepted (it may have been removed or replaced); check it against "
                        + "fanout.auth.keys.<name>.key or fanout.auth.api-keys");
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
