package dev.fanout.api;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.fanout.core.Durations;
import dev.fanout.core.Json;
import dev.fanout.core.TaskResult;
import dev.fanout.execution.Batch;
import dev.fanout.execution.BatchOptions;
import dev.fanout.execution.BatchStatus;
import dev.fanout.execution.Engine;
import dev.fanout.config.FanoutConfig;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
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
import org.jboss.resteasy.reactive.RestStreamElementType;

import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The batch API: submit, watch, stream results, cancel, list. Parsing and checks live in the helpers it calls. */
@Path("/batches")
public class BatchResource {
    static final String NDJSON = "application/x-ndjson";

    @Inject
    Engine engine;
    @Inject
    FanoutConfig config;

    @POST
    @RunOnVirtualThread
    @Produces(MediaType.APPLICATION_JSON)
    public Response submit(InputStream body, @Context HttpHeaders headers, @Context UriInfo uri,
                           @RestQuery String wait) {
        Duration waitFor = parseWait(wait);
        BatchRequestReader reader = new BatchRequestReader(engine.functions(), config.batch().maxTasks(),
                config.batch().maxTaskInputBytes());
        InputStream limited = new LimitedInputStream(body, config.api().maxBodyBytes());
        BatchRequestReader.Parsed parsed = isNdjson(headers.getMediaType())
                ? reader.readNdjson(limited) : reader.readJson(limited);
        BatchOptions options = new OptionsParser(config.batch(), engine.backends().keySet())
                .parse(parsed.options(), uri.getQueryParameters()::getFirst);
        Batch batch = engine.submit(parsed.tasks(), options);
        if (!waitFor.isZero() && awaitDone(batch, waitFor)) {
            return Response.ok(finishedBatch(batch), MediaType.APPLICATION_JSON).build();
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

    private static boolean awaitDone(Batch batch, Duration wait) {
        try {
            batch.done().get(wait.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("a batch never completes exceptionally", e);
        }
    }

    /** {@code {"batch": status, "results": [...]}}, written as it goes: a million results need no big buffer. */
    private static StreamingOutput finishedBatch(Batch batch) {
        return out -> {
            try (JsonGenerator g = Json.mapper().createGenerator(out)) {
                g.writeStartObject();
                g.writePOJOField("batch", batch.status());
                g.writeArrayFieldStart("results");
                for (int i = 0; i < batch.total(); i++) {
                    g.writePOJO(batch.result(i));
                }
                g.writeEndArray();
                g.writeEndObject();
            }
        };
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public BatchStatus status(@PathParam("id") String id) {
        return find(id).status();
    }

    @DELETE
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public BatchStatus cancel(@PathParam("id") String id) {
        return engine.cancel(id).orElseThrow(() -> notFound(id)).status();
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public BatchPage list(@RestQuery String limit, @RestQuery String offset) {
        int l = pageParam("limit", limit, 20, 1, 1000);
        int o = pageParam("offset", offset, 0, 0, Integer.MAX_VALUE);
        List<BatchStatus> page = engine.list(o, l).stream().map(Batch::status).toList();
        return new BatchPage(page, o, l, engine.batchCount());
    }

    /** One page of {@code GET /batches}, newest first. */
    public record BatchPage(List<BatchStatus> batches, int offset, int limit, int total) {
    }

    /**
     * The results as NDJSON, the default; the stream ends when the batch ends. Each line carries {@code seq}, its
     * place in the stream's order; {@code ?after=<seq>} starts after that one (a client resuming a stream).
     */
    @GET
    @Path("/{id}/results")
    @Produces(NDJSON)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<StreamedResult> results(@PathParam("id") String id, @RestQuery String order,
                                         @RestQuery String after) {
        Batch batch = find(id);
        return stream(batch, order, resumePoint(batch, "after", after))
                .map(n -> new StreamedResult(n.seq(), n.result()));
    }

    /** One NDJSON line: a result and its place in the stream. */
    @JsonPropertyOrder({"seq"})
    public record StreamedResult(int seq, @JsonUnwrapped TaskResult result) {
    }

    /**
     * The same stream as server-sent events, for clients that ask for {@code text/event-stream}: each result an event
     * whose {@code id} is its place in the stream, then a last event {@code end} with the batch's final status. A
     * reconnect with {@code Last-Event-ID} (what a browser's EventSource sends) continues after that event; once the
     * batch is finished and the client has everything, the answer is 204, which tells EventSource to stop.
     */
    @GET
    @Path("/{id}/results")
    @Produces(MediaType.SERVER_SENT_EVENTS + ";qs=0.5")
    public Multi<OutboundSseEvent> resultEvents(@PathParam("id") String id, @RestQuery String order,
                                                @RestQuery String after, @RestHeader("Last-Event-ID") String lastId,
                                                @Context Sse sse) {
        Batch batch = find(id);
        int from = lastId != null ? resumePoint(batch, "Last-Event-ID", lastId) : resumePoint(batch, "after", after);
        if (lastId != null && batch.isFinished() && from >= batch.total()) {
            throw new WebApplicationException(Response.noContent().build());
        }
        // data written as JSON text here: an event with a media type would also carry a non-standard content-type line
        Multi<OutboundSseEvent> results = stream(batch, order, from).map(n -> sse.newEventBuilder()
                .id(String.valueOf(n.seq())).data(json(n.result())).build());
        Multi<OutboundSseEvent> end = Multi.createFrom().item(() -> sse.newEventBuilder().name("end")
                .data(json(batch.status())).build());
        return Multi.createBy().concatenating().streams(results, end);
    }

    private static String json(Object value) {
        try {
            return Json.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("results and statuses always serialise", e);
        }
    }

    private static Multi<ResultStreams.Numbered> stream(Batch batch, String order, int after) {
        if (order == null || order.equals("completion")) {
            return ResultStreams.completionOrder(batch, after);
        }
        if (order.equals("input")) {
            return ResultStreams.inputOrder(batch, after);
        }
        throw ProblemException.invalidOption("order: expected 'completion' (the default) or 'input', got '"
                + order + "'");
    }

    /** How many results a resuming client already has: 0 to the batch's size. */
    private static int resumePoint(Batch batch, String name, String value) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        return OptionsParser.integer(name, value.trim(), 0, batch.total());
    }

    private Batch find(String id) {
        return engine.find(id).orElseThrow(() -> notFound(id));
    }

    private static ProblemException notFound(String id) {
        return ProblemException.notFound("no batch with id '" + id + "'; it may have expired "
                + "(fanout.batch.retention); GET /batches lists the known ones");
    }

    private static int pageParam(String name, String value, int defaultValue, int min, int max) {
        return value == null || value.isBlank() ? defaultValue : OptionsParser.integer(name, value, min, max);
    }
}
