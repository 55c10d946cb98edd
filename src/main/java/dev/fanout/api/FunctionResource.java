package dev.fanout.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.execution.engine.Engine;
import dev.fanout.spi.FunctionKind;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.List;

/** {@code GET /functions}: what tasks can call. */
@Path("/functions")
public class FunctionResource {
    @Inject
    Engine engine;

    /**
     * One entry of the list.
     *
     * @param jar the jar of {@code fanout.functions.path} it came from; null for a built-in
     */
    public record FunctionInfo(String name, FunctionKind kind, String description, JsonNode example, String jar) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<FunctionInfo> list() {
        return engine.functions().registered().stream()
                .map(r -> new FunctionInfo(r.function().name(), r.function().kind(), r.function().description(),
                        r.function().example(), r.jar()))
                .toList();
    }
}
