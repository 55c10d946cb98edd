package dev.fanout.store.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.fanout.core.Json;
import dev.fanout.core.TaskResult;

import java.sql.SQLException;

/** Results as the SQL stores keep them: JSON text, written and read whole. */
public final class Rows {
    private static final ObjectWriter RESULT_WRITER = Json.mapper().writerFor(TaskResult.class);
    private static final ObjectReader RESULT_READER = Json.mapper().readerFor(TaskResult.class);

    private Rows() {
    }

    public static String json(TaskResult result) {
        try {
            return RESULT_WRITER.writeValueAsString(result);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a result always serialises", e);
        }
    }

    public static TaskResult result(String json) throws SQLException {
        try {
            return RESULT_READER.readValue(json);
        } catch (JsonProcessingException e) {
            throw new SQLException("a stored result is not JSON: " + e.getMessage(), e);
        }
    }
}
