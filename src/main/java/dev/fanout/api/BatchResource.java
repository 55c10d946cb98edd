package dev.fanout.api;

import dev.fanout.api.problem.Problem;
import dev.fanout.api.problem.ProblemException;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.config.FanoutConfig;
import dev.fanout.spi.Durations;
import dev.fanout.core.Json;
import dev.fanout.execution.batch.BatchDetails;
import dev.fanout.execution.batch.BatchOptions;
import dev.fanout.execution.batch.BatchState;
import dev.fanout.execution.batch.BatchStatus;
import dev.fanout.execution.batch.BatchView;
import dev.fanout.execution.engine.Caller;
import dev.fanout.execution.engine.Engine;
import dev.fanout.execution.batch.HandedOverException;
import dev.fanout.store.Quota;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestQuery;

import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The batch API: submit, watch, cancel, redrive, list. Parsing and checks live in the helpers it calls. */
@Path("/batches")
public class BatchResource {
    static final String NDJSON = "application/x-ndjson";
    private static final int PAGE = 256;

    @Inject
    Engine engine;
    @Inject
    FanoutConfig config;
    @Inject
    WarmUp warmUp;
    @Inject
    Callers callers;
    @Inject
    ApiKeys keys;

    @POST
    @RunOnVirtualThread
    @Produces(MediaType.APPLICATION_JSON)
    public Response submit(InputStream body, @Context HttpHeaders headers, @Context UriInfo uri,
                           @RestQuery String wait, @RestHeader("Idempotency-Key") String idempotencyKey,
                           @RestHeader("Authorization") String authorization) {
        Caller caller = callers.of(authorization);
        Quota quota = keys.quotaOf(caller.name());
        Duration waitFor = parseWait(wait);
        String key = IdempotencyKeys.check(idempotencyKey);
        RequestDigest digest = new RequestDigest(new LimitedInputStream(body, config.api().maxBodyBytes()));
        BatchRequestReader reader = new BatchRequestReader(engine.functions(), config.batch().maxTasks(),
                config.batch().maxTaskInputBytes());
        BatchRequestReader.Parsed parsed = isNdjson(headers.getMediaType())
                ? reader.readNdjson(digest.stream()) : reader.readJson(digest.stream());
        BatchOptions options = new OptionsParser(config.batch(), engine.backends().keySet(), caller.name(),
                quota.maxConcurrency()).parse(parsed.options(), uri.getQueryParameters()::getFirst);
        if (quota.maxTasksPerMinute() > 0 && parsed.tasks().size() > quota.maxTasksPerMinute()) {
            throw ProblemException.tooLarge(parsed.tasks().size() + " tasks: key '" + caller.name() + "' may have at "
                    + "most " + quota.maxTasksPerMinute() + " accepted in a minute (fanout.auth.keys." + caller.name()
                    + ".max-tasks-per-minute); split the batch");
        }
        String hash = key == null ? null : digest.finish(headers.getMediaType(), uri.getQueryParameters());
        Engine target = warmUp.engineFor(authorization);
        BatchView batch = target.submit(parsed.tasks(), options, key, hash, caller, quota).batch();
        if (!waitFor.isZero()) {
            BatchView done = awaitDone(target, batch, waitFor, caller);
            if (done != null) {
                return Response.ok(finishedBatch(done), MediaType.APPLICATION_JSON).build();
            }
        }
        return Response.accepted(batch.status()).header("Location", "/batches/" + batch.id()).build();
    }

    private static boolean isNdjson(MediaType type) {
        if (type == null || type.isCompatible(MediaType.APPLICATION_JSON_TYPE)) {
            return false;
        }
        String sub = type.getSubtype();
        if (type.getType().equals("application") && (sub.equals("x-ndjson") || sub.equals("ndjson")
                || sub.equals("jsonl") || sub.equals("x-jsonlines"))) {
            return true;
        }
        throw new ProblemException(Problem.of(415, "unsupported-media-type", "Unsupported media type",
                "send the batch as application/json ({\"tasks\": [...]}) or application/x-ndjson (one task per "
                        + "line), not " + type));
    }

    private Duration parseWait(String wait) {
        if (wait == null || wait.isBlank()) {
            return Duration.ZERO;
        }
        try {
            Duration d = Durations.parse(wait);
            if (d.compareTo(config.api().maxWait()) <= 0) {
                return d;
            }
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalidOption("wait: " + e.getMessage());
        }
        throw ProblemException.invalidOption("wait: at most " + Durations.format(config.api().maxWait())
                + " (fanout.api.max-wait); stream GET /batches/{id}/results for longer batches");
    }

    /** The batch once finished, within {@code wait}, wherever it runs by then; null when the wait ran out. */
    private static BatchView awaitDone(Engine engine, BatchView batch, Duration wait, Caller caller) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            try {
                batch.done().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                return batch;
            } catch (TimeoutException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof HandedOverException)) {
                    throw new IllegalStateException("a batch completes exceptionally only when handed over", e);
                }
                String id = batch.id();
                batch = engine.find(id, caller).orElse(null); // another instance runs it now: wait for it there
                if (batch == null) {
                    return null;
                }
            }
        }
    }

    /** {@code {"batch": status, "results": [...]}}, written as it goes: a million results need no big buffer. */
    private static StreamingOutput finishedBatch(BatchView batch) {
        return out -> {
            try (JsonGenerator g = Json.mapper().createGenerator(out)) {
                g.writeStartObject();
                g.writePOJOField("batch", batch.status());
                g.writeArrayFieldStart("results");
                for (int i = 0; i < batch.total(); ) {
                    List<BatchView.Numbered> page = batch.page(true, i, PAGE);
                    for (BatchView.Numbered n : page) {
                        g.writePOJO(n.result());
                    }
                    i += page.size();
                    if (page.isEmpty()) {
                        break; // cannot happen once finished: every result is there
                    }
                }
                g.writeEndArray();
                g.writeEndObject();
            }
        };
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public BatchDetails status(@PathParam("id") String id, @RestHeader("Authorization") String authorization) {
        return find(id, callers.of(authorization)).details();
    }

    /**
     * The same details as server-sent events, for clients that ask for {@code text/event-stream}: an event
     * {@code details} now, then after each change (at most two a second), the last once the batch has finished.
     */
    @GET
    @Path("/{id}")
    @Blocking // finding the batch may read the store
    @Produces(MediaType.SERVER_SENT_EVENTS + ";qs=0.5")
    public Multi<OutboundSseEvent> statusEvents(@PathParam("id") String id, @Context Sse sse,
                                                @RestHeader("Authorization") String authorization) {
        Caller caller = callers.of(authorization); // here: the stream reads on after this request has returned
        return StatusStreams.details(find(id, caller), () -> engine.find(id, caller))
                .map(d -> sse.newEventBuilder().name("details").data(ResultResource.json(d)).build());
    }

    @DELETE
    @Path("/{id}")
    @RunOnVirtualThread
    @Produces(MediaType.APPLICATION_JSON)
    public BatchStatus cancel(@PathParam("id") String id, @RestHeader("Authorization") String authorization) {
        return engine.cancel(id, callers.of(authorization)).orElseThrow(() -> notFound(id)).status();
    }

    /**
     * Runs the FAILED and CANCELLED tasks of a finished batch again, keeping its successes; the body may override
     * {@code taskTimeout}, {@code retries} and {@code maxConcurrency}.
     */
    @POST
    @Path("/{id}/redrive")
    @RunOnVirtualThread
    @Produces(MediaType.APPLICATION_JSON)
    public Response redrive(@PathParam("id") String id, InputStream body,
                            @RestHeader("Authorization") String authorization) {
        Caller caller = callers.of(authorization);
        JsonNode overrides = RedriveOptions.read(body);
        RedriveOptions o = new RedriveOptions(config.batch(), overrides);
        if (o.maxConcurrency() != null && !caller.admin()) {
            OptionsParser.checkKeyConcurrency(caller.name(), keys.quotaOf(caller.name()).maxConcurrency(),
                    o.maxConcurrency());
        }
        BatchView batch = engine.redrive(id, o.taskTimeout(), o.retries(), o.maxConcurrency(), caller,
                        keys::quotaOf).orElseThrow(() -> notFound(id));
        return Response.accepted(batch.status()).header("Location", "/batches/" + id).build();
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public BatchPage list(@RestQuery String limit, @RestQuery String offset, @RestQuery String state,
                          @RestHeader("Authorization") String authorization) {
        return list(callers.of(authorization), limit, offset, state);
    }

    /** A page of the batches {@code caller} may see: its own, every one for an admin. */
    private BatchPage list(Caller caller, String limit, String offset, String state) {
        int l = pageParam("limit", limit, 20, 1, 1000);
        int o = pageParam("offset", offset, 0, 0, Integer.MAX_VALUE);
        BatchState s = OptionsParser.choice("state", state, BatchState.class);
        return new BatchPage(engine.list(caller, s, o, l), o, l, engine.batchCount(caller, s));
    }

    /**
     * The same page as server-sent events, for clients that ask for {@code text/event-stream}: an event
     * {@code batches} now and each time the page changes (read every second); the stream lasts until the client goes.
     */
    @GET
    @Blocking // the first page is read from the store here
    @Produces(MediaType.SERVER_SENT_EVENTS + ";qs=0.5")
    public Multi<OutboundSseEvent> listEvents(@RestQuery String limit, @RestQuery String offset,
                                              @RestQuery String state, @Context Sse sse,
                                              @RestHeader("Authorization") String authorization) {
        Caller caller = callers.of(authorization); // here: the page is read again after this request has returned
        list(caller, limit, offset, state); // bad parameters answer 400 now, not inside the stream
        return StatusStreams.pages(() -> list(caller, limit, offset, state))
                .map(p -> sse.newEventBuilder().name("batches").data(ResultResource.json(p)).build());
    }

    /** One page of {@code GET /batches}, newest first; {@code total} counts the batches the filter lets through. */
    public record BatchPage(List<BatchStatus> batches, int offset, int limit, int total) {
    }

    private BatchView find(String id, Caller caller) {
        return engine.find(id, caller).orElseThrow(() -> notFound(id));
    }

    /** The same answer for an id nobody has and for another key's batch: ids are not confirmed to strangers. */
    static ProblemException notFound(String id) {
        return ProblemException.notFound("no batch with id '" + id + "' for this API key; it may have expired "
                + "(fanout.batch.retention); GET /batches lists the ones this key can see");
    }

    private static int pageParam(String name, String value, int defaultValue, int min, int max) {
        return value == null || value.isBlank() ? defaultValue : OptionsParser.integer(name, value, min, max);
    }
}
