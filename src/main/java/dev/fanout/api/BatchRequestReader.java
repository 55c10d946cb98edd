package dev.fanout.api;

import dev.fanout.api.problem.ProblemException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
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
import java.util.concurrent.ConcurrentHashMap;

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

    /** By task limit: parsers whose strings may be no longer than a task may be (a factory is costly to make). */
    private static final Map<Integer, JsonFactory> FACTORIES = new ConcurrentHashMap<>();

    private final FunctionRegistry functions;
    private final int maxTasks;
    private final int maxTaskBytes;
    private final JsonFactory factory;

    BatchRequestReader(FunctionRegistry functions, int maxTasks, int maxTaskBytes) {
        this.functions = functions;
        this.maxTasks = maxTasks;
        this.maxTaskBytes = maxTaskBytes;
        this.factory = FACTORIES.computeIfAbsent(maxTaskBytes, max -> MAPPER.getFactory().rebuild()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(Json.MAX_NESTING_DEPTH)
                        .maxStringLength(max).build())
                .build());
    }

    private JsonParser parser(InputStream body) throws IOException {
        JsonParser p = factory.createParser(body);
        p.setCodec(MAPPER);
        return p;
    }

    Parsed readJson(InputStream body) {
        TaskChecker checker = new TaskChecker(functions, maxTasks);
        Map<String, JsonNode> options = new LinkedHashMap<>();
        boolean sawTasks = false;
        try (JsonParser p = parser(body)) {
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
        } catch (IOException e) {
            throw problem(e);
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
        try (JsonParser p = parser(body)) {
            while (p.nextToken() != null) {
                readTask(p, checker, "line " + p.currentTokenLocation().getLineNr());
            }
        } catch (IOException e) {
            throw problem(e);
        }
        return new Parsed(checker.finish(), Map.of());
    }

    /**
     * One task, measured as it is read: a task over the limit stops the reading at once, having held no more than
     * the limit (each string is at most the limit too: the parser's constraints), never the whole task.
     */
    private void readTask(JsonParser p, TaskChecker checker, String where) throws IOException {
        long start = p.currentTokenLocation().getByteOffset();
        JsonNode task = MAPPER.readTree(new Measured(p, maxTaskBytes, () -> tooLarge(where, -1)));
        long size = p.currentLocation().getByteOffset() - start;
        if (size > maxTaskBytes) {
            throw tooLarge(where, size);
        }
        checker.accept(task, where);
    }

    private ProblemException tooLarge(String where, long size) {
        return ProblemException.tooLarge(where + " is " + (size < 0 ? "more than " + maxTaskBytes : size)
                + " bytes of JSON, over the " + maxTaskBytes + " bytes a task may have "
                + "(fanout.batch.max-task-input-bytes); pass big data by reference (a URL) instead");
    }

    /** A value past one of the parser's limits (a string longer than a task may be, a number, the nesting). */
    private ProblemException overLimit(StreamConstraintsException e) {
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().lines().findFirst().orElse("");
        return ProblemException.tooLarge("a value of the body is too large: " + message + "; a string may be at "
                + "most " + maxTaskBytes + " characters, as a task is at most " + maxTaskBytes + " bytes "
                + "(fanout.batch.max-task-input-bytes); pass big data by reference (a URL) instead");
    }

    /**
     * The tokens of one value, counted as the tree is built from them: the characters of its strings and names
     * (each at least one byte of the body) and one per other token. Once past {@code limit} the value is surely
     * larger than a task may be, and reading stops before the rest of it is held.
     */
    private static final class Measured extends JsonParserDelegate {
        private final long limit;
        private final java.util.function.Supplier<ProblemException> tooLarge;
        private long seen;

        Measured(JsonParser p, long limit, java.util.function.Supplier<ProblemException> tooLarge) throws IOException {
            super(p);
            this.limit = limit;
            this.tooLarge = tooLarge;
            count(p.currentToken());
        }

        private JsonToken count(JsonToken t) throws IOException {
            seen += t == JsonToken.VALUE_STRING || t == JsonToken.FIELD_NAME ? delegate.getTextLength() + 2 : 1;
            if (seen > limit) {
                throw tooLarge.get();
            }
            return t;
        }

        @Override
        public JsonToken nextToken() throws IOException {
            JsonToken t = delegate.nextToken();
            return t == null ? null : count(t);
        }

        @Override
        public JsonToken nextValue() throws IOException {
            JsonToken t = delegate.nextValue();
            return t == null ? null : count(t);
        }

        @Override
        public String nextFieldName() throws IOException {
            return nextToken() == JsonToken.FIELD_NAME ? delegate.currentName() : null;
        }

        @Override
        public boolean nextFieldName(SerializableString name) throws IOException {
            return nextToken() == JsonToken.FIELD_NAME && name.getValue().equals(delegate.currentName());
        }

        @Override
        public String nextTextValue() throws IOException {
            return nextToken() == JsonToken.VALUE_STRING ? delegate.getText() : null;
        }
    }

    /** What a failure to read the body tells the client: too large, malformed, or cut short. */
    private ProblemException problem(IOException e) {
        if (e instanceof StreamConstraintsException c) {
            return overLimit(c);
        }
        return e instanceof JsonProcessingException j ? malformed(j) : unreadable(e);
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
