package dev.fanout.api.problem;

import dev.fanout.core.Connections;
import dev.fanout.execution.engine.BackendUnavailableException;
import dev.fanout.execution.engine.BatchRunningException;
import dev.fanout.execution.engine.StoreUnavailableException;
import dev.fanout.store.IdempotencyConflictException;
import dev.fanout.store.QuotaExceededException;
import dev.fanout.execution.engine.ShuttingDownException;
import dev.fanout.execution.engine.TooManyBatchesException;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.UUID;

/** Every error leaves as {@code application/problem+json}; a bug is a 500 with a reference, never a stack trace. */
public class ProblemMapper {
    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @Inject
    MeterRegistry meters;

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        return answer(e.problem(), uri);
    }

    @ServerExceptionMapper
    public Response unavailable(BackendUnavailableException e, UriInfo uri) {
        return answer(Problem.of(503, "backend-unavailable", "Backend unavailable", e.getMessage()
                + "; retry later, or choose another cpuBackend"), uri);
    }

    @ServerExceptionMapper
    public Response tooManyBatches(TooManyBatchesException e, UriInfo uri) {
        return Response.fromResponse(answer(Problem.of(429, "too-many-batches", "Too many batches", e.getMessage()),
                uri)).header("Retry-After", "5").build();
    }

    /** A key's quota: 429 naming it (in the type and the detail), with when to come back; 413 if never. */
    @ServerExceptionMapper
    public Response quotaExceeded(QuotaExceededException e, UriInfo uri) {
        String setting = "fanout.auth.keys." + e.tenant() + "." + e.quota();
        // the name is a configured one (only those have quotas): a bounded label
        meters.counter("fanout.quota.refusals", "key", e.tenant(), "quota", e.quota()).increment();
        if (e.fitsNever()) { // no wait helps: 413, as for a batch too large to submit
            return answer(Problem.of(413, "too-large", "Batch too large", e.getMessage() + " (" + setting
                    + "); split the work or raise the quota"), uri);
        }
        return Response.fromResponse(answer(Problem.of(429, "quota-" + e.quota(), "Quota exceeded", e.getMessage()
                + " (" + setting + "); retry after " + e.retryAfterSeconds() + " s"), uri))
                .header("Retry-After", String.valueOf(e.retryAfterSeconds())).build();
    }

    @ServerExceptionMapper
    public Response storeUnavailable(StoreUnavailableException e, UriInfo uri) {
        return Response.fromResponse(answer(Problem.of(503, "store-unavailable", "Store unavailable", e.getMessage()
                + "; nothing was accepted: retry when the store is back (readiness shows it)"), uri))
                .header("Retry-After", "5").build();
    }

    /** A read (or a cancel) that found the store away: nothing changed, the client may try again. */
    @ServerExceptionMapper
    public Response storeFailed(dev.fanout.store.StoreException e, UriInfo uri) {
        return Response.fromResponse(answer(Problem.of(503, "store-unavailable", "Store unavailable", e.getMessage()
                + "; try again when the store is back (readiness shows it)"), uri)).header("Retry-After", "5").build();
    }

    @ServerExceptionMapper
    public Response batchRunning(BatchRunningException e, UriInfo uri) {
        return answer(Problem.of(409, "batch-running", "Batch running", e.getMessage()), uri);
    }

    @ServerExceptionMapper
    public Response idempotencyConflict(IdempotencyConflictException e, UriInfo uri) {
        return answer(Problem.of(422, "idempotency-key-reused", "Idempotency-Key reused", e.getMessage()
                + "; send that request again with the same key, or use a new key for a new batch"), uri);
    }

    @ServerExceptionMapper
    public Response shuttingDown(ShuttingDownException e, UriInfo uri) {
        return Response.fromResponse(answer(Problem.of(503, "shutting-down", "Shutting down", e.getMessage()), uri))
                .header("Retry-After", "5").build();
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        if (status < 400) {
            return e.getResponse(); // an answer, not an error (204 to a finished event stream's reconnect)
        }
        Response.StatusType type = Response.Status.fromStatusCode(status);
        String title = type == null ? "HTTP " + status : type.getReasonPhrase();
        String detail = switch (status) {
            case 404 -> notFound(uri.getPath()).detail();
            case 405 -> "this method is not allowed on " + uri.getPath();
            case 406 -> "cannot answer in the requested media type; ask for application/json, or for results "
                    + "application/x-ndjson or text/event-stream";
            case 415 -> "unsupported Content-Type; send application/json or application/x-ndjson";
            default -> e.getMessage();
        };
        return answer(Problem.of(status, title.toLowerCase().replace(' ', '-'), title, detail), uri);
    }

    /**
     * The 404 of a path the API does not serve. Its OpenAPI description is not on this port: {@code /q/*} is on the
     * management interface, a private port (see ApiKeyFilter).
     */
    public static Problem notFound(String path) {
        return Problem.of(404, "not-found", "Not Found", "no resource at " + path
                + "; the API is under /batches and /functions");
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, UriInfo uri) {
        if (Connections.closed(e)) {
            // a watcher closed its stream (a dashboard tab moved on) while an event was being written: nothing is
            // wrong and nobody is left to answer
            LOG.debugf("client went away on %s", uri.getPath());
            return Response.noContent().build();
        }
        String reference = UUID.randomUUID().toString();
        LOG.errorf(e, "unexpected error %s on %s", reference, uri.getPath());
        return answer(Problem.of(500, "internal-error", "Internal error", "an unexpected error occurred; "
                + "report it with reference " + reference), uri);
    }

    private static Response answer(Problem problem, UriInfo uri) {
        return Response.status(problem.status())
                .type(Problem.MEDIA_TYPE)
                .entity(problem.withInstance(uri.getPath()))
                .build();
    }
}
