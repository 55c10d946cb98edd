package dev.fanout.api;

import dev.fanout.api.problem.ProblemException;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.fanout.core.ErrorType;
import dev.fanout.core.Json;
import dev.fanout.core.TaskState;
import dev.fanout.core.TaskResult;
import dev.fanout.execution.batch.BatchView;
import dev.fanout.execution.engine.Caller;
import dev.fanout.execution.engine.Engine;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestStreamElementType;

import java.util.function.Predicate;

/**
 * A batch's results as they are stored, streamed: NDJSON by default, server-sent events on request. Each result
 * carries its place in the stream's order, so a client can resume after the last one it has, after a lost
 * connection or a restart of the service.
 */
@Path("/batches/{id}/results")
public class ResultResource {
    @Inject
    Engine engine;
    @Inject
    Callers callers;

    /**
     * The results as NDJSON, the default; the stream ends when the batch ends. Each line carries {@code seq}, its
     * place in the stream's order; {@code ?after=<seq>} starts after that one (a client resuming a stream).
     */
    @GET
    @Produces(BatchResource.NDJSON)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Blocking // finding the batch may read the store: never on the event loop, which a paused database would freeze
    public Multi<StreamedResult> results(@PathParam("id") String id, @RestQuery String order,
                                         @RestQuery String after, @RestQuery String state,
                                         @RestQuery String errorType,
                                         @RestHeader("Authorization") String authorization) {
        Caller caller = callers.of(authorization); // here: the stream reads on after this request has returned
        Predicate<TaskResult> filter = filter(state, errorType);
        BatchView batch = find(id, caller);
        boolean inputOrder = inputOrder(order);
        return ResultStreams.stream(batch, () -> engine.find(id, caller), inputOrder,
                        resumePoint(batch, inputOrder, "after", after), filter)
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
    @Produces(MediaType.SERVER_SENT_EVENTS + ";qs=0.5")
    @Blocking // as above
    public Multi<OutboundSseEvent> resultEvents(@PathParam("id") String id, @RestQuery String order,
                                                @RestQuery String after, @RestHeader("Last-Event-ID") String lastId,
                                                @RestQuery String state, @RestQuery String errorType,
                                                @Context Sse sse, @RestHeader("Authorization") String authorization) {
        Caller caller = callers.of(authorization);
        Predicate<TaskResult> filter = filter(state, errorType);
        BatchView batch = find(id, caller);
        boolean inputOrder = inputOrder(order);
        int from = lastId != null ? resumePoint(batch, inputOrder, "Last-Event-ID", lastId)
                : resumePoint(batch, inputOrder, "after", after);
        if (lastId != null && batch.isFinished() && batch.page(inputOrder, from, 1).isEmpty()) {
            throw new WebApplicationException(Response.noContent().build());
        }
        // data written as JSON text here: an event with a media type would also carry a non-standard content-type line
        Multi<OutboundSseEvent> results = ResultStreams.stream(batch, () -> engine.find(id, caller), inputOrder, from, filter)
                .map(n -> sse.newEventBuilder()
                .id(String.valueOf(n.seq())).data(json(n.result())).build());
        boolean filtered = state != null && !state.isBlank() || errorType != null && !errorType.isBlank();
        Multi<OutboundSseEvent> end = Multi.createFrom().item(() -> {
            BatchView last = engine.find(id, caller).orElse(batch);
            OutboundSseEvent.Builder event = sse.newEventBuilder().name("end").data(json(last.status()));
            // a filtered stream's last result may be far from the end: its reconnect must start at the end (204)
            return filtered ? event.id(String.valueOf(inputOrder ? last.total() : last.maxSeq())).build()
                    : event.build();
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()); // it reads the store
        return Multi.createBy().concatenating().streams(results, end);
    }

    /**
     * The results a client asked for: {@code ?state=} (SUCCEEDED, FAILED, CANCELLED) and {@code ?errorType=} (an
     * {@link ErrorType} name), both when both are given. Numbering stays that of the whole stream, so {@code after}
     * and {@code Last-Event-ID} work the same with a filter.
     */
    static Predicate<TaskResult> filter(String state, String errorType) {
        TaskState s = OptionsParser.choice("state", state, TaskState.class);
        ErrorType e = OptionsParser.choice("errorType", errorType, ErrorType.class);
        return r -> (s == null || r.state() == s) && (e == null || (r.error() != null && r.error().type() == e));
    }

    private BatchView find(String id, Caller caller) {
        return engine.find(id, caller).orElseThrow(() -> BatchResource.notFound(id));
    }

    private static boolean inputOrder(String order) {
        if (order == null || order.equals("completion")) {
            return false;
        }
        if (order.equals("input")) {
            return true;
        }
        throw ProblemException.invalidOption("order: expected 'completion' (the default) or 'input', got '"
                + order + "'");
    }

    /** How far a resuming client got: a seq in completion order, a count of tasks in input order. */
    private static int resumePoint(BatchView batch, boolean inputOrder, String name, String value) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        int max = inputOrder ? batch.total() : Math.max(batch.total(), batch.maxSeq());
        return OptionsParser.integer(name, value.trim(), 0, max);
    }

    static String json(Object value) {
        try {
            return Json.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("results and statuses always serialise", e);
        }
    }
}
