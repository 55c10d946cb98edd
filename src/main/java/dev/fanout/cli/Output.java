package dev.fanout.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.Json;

import java.io.PrintWriter;
import java.io.UncheckedIOException;

/** JSON answers as users read them on stdout: pretty-printed, one document per command. */
final class Output {
    private Output() {
    }

    static void print(PrintWriter out, JsonNode json) {
        try {
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
            out.flush();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
