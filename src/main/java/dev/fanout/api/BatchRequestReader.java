package dev.fanout.api;

import dev.fanout.api.problem.ProblemException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.core.Json;
import dev.fanout.core.TaskSpec;
import dev.fanout.registry.FunctionRegistry;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a batch from a request body as it streams in: a JSON document {@code {"tasks": [...], options...}} or
 * NDJSON, one task object per line. Tasks are checked one by one; nothing holds the whole body.
 */
final class BatchRequestReader {
    static final Set<String> OPTIONS = Set.of("maxConcurrency", "taskTimeout", "retries", "failFast", "cpuBackend",
            "chunkSize", "toleratedFailureCount", "toleratedFailurePercentage");
    private static final ObjectMapper MAPPER = Json.mapper();

    /** The tasks and the options found in the body (raw, checked by {@link OptionsParser}). */
    record Parsed(List<TaskSpec> tasks, Map<String, JsonNode> options) {
    }

    private final FunctionRegistry functions;
    private final int maxTasks;
    private final int maxTaskBytes;

    BatchRequestReader(FunctionRegistry functions, int maxTasks, int maxTaskBytes) {
        this.functions = functions;
        this.maxTasks = maxTasks;
        this.maxTaskBytes = maxTaskBytes;
    }

    Parsed readJson(InputStream body) {
        TaskChecker checker = new TaskChecker(functions, maxTasks);
        Map<String, JsonNode> options = new LinkedHashMap<>();
        boolean sawTasks = false;
        try (JsonParser p = MAPPER.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw malformed(p, "expected a JSON object {\"tasks\": [...]}");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("tasks")) {
                    sawTasks = true;
                    readTaskArray(p, checker);
                } else if (OPTIONS.contains(field)) {
                    options.put(field, p.readValueAsTree());
                } else {
                    throw ProblemException.badRequest("unknown-field", "Unknown field", "unknown field '" + field
                            + "' in the batch; expected tasks and the options " + String.join(", ", sorted()));
                }
            }
            if (p.nextToken() != null) {
                throw malformed(p, "unexpected content after the batch object");
            }
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw unreadable(e);
        }
        if (!sawTasks) {
            throw ProblemException.badRequest("no-tasks", "No tasks", "the batch has no \"tasks\" array");
        }
        return new Parsed(checker.finish(), options);
    }

    private void readTaskArray(JsonParser p, TaskChecker checker) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw malformed(p, "\"tasks\" must be an array of task objects");
        }
        for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
            readTask(p, checker, "tasks[" + i + "]");
        }
    }

    Parsed readNdjson(InputStream body) {
        TaskChecker checker = new TaskChecker(functions, maxTasks);
        try (JsonParser p = MAPPER.createParser(body)) {
            while (p.nextToken() != null) {
                readTask(p, checker, "line " + p.currentTokenLocation().getLineNr());
            }
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw unreadable(e);
        }
        return new Parsed(checker.finish(), Map.of());
    }

    /** One task, measured in bytes as it is read: a task over the limit stops the reading at once. */
    private void readTask(JsonParser p, TaskChecker checker, String where) throws IOException {
        long start = p.currentTokenLocation().getByteOffset();
        JsonNode task = p.readValueAsTree();
        long size = p.currentLocation().getByteOffset() - start;
        if (size > maxTaskBytes) {
            throw ProblemException.tooLarge(where + " is " + size + " bytes of JSON, over the " + maxTaskBytes
                    + " bytes a task may have (fanout.batch.max-task-input-bytes); pass big data by reference "
                    + "(a URL) instead");
        }
        checker.accept(task, where);
    }

    private static List<String> sorted() {
        return OPTIONS.stream().sorted().toList();
    }

    private static ProblemException malformed(JsonParser p, String what) {
        return malformed(p.currentTokenLocation(), what);
    }

    private static ProblemException malformed(JsonProcessingException e) {
        return malformed(e.getLocation(), e.getOriginalMessage());
    }

    private static ProblemException malformed(JsonLocation where, String what) {
        String at = where == null ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
        String message = what == null ? "" : what.lines().findFirst().orElse("");
        return ProblemException.badRequest("malformed-json", "Malformed JSON", "the body is not valid JSON" + at
                + ": " + message);
    }

    private static ProblemException unreadable(IOException e) {
        return ProblemException.badRequest("unreadable-body", "Unreadable body", "the request body could not be "
                + "read completely: " + e.getMessage());
    }
}
