package dev.fanout.api;

import dev.fanout.config.BatchConfig;

import dev.fanout.api.problem.ProblemException;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.fanout.config.FanoutConfig;
import dev.fanout.registry.FunctionRegistry;
import dev.fanout.spi.Settings;
import org.junit.jupiter.api.AfterAll;

import java.io.ByteArrayInputStream;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzzing of everything a request body and its query go through before a batch exists: JSON and
 * NDJSON reading, task checks (functions' own input validation included), option parsing, size limits. Whatever the
 * bytes, the answer is a batch or a 4xx problem: any other exception is a finding. Every test run replays the corpus in
 * src/test/resources (surefire's fuzz-corpus execution, in a JVM of its own: Jazzer's agent would instrument every
 * later test of a shared one); bin/test then fuzzes it for a minute (JAZZER_FUZZ=1).
 */
class RequestParsingFuzzTest {
    private static final FunctionRegistry FUNCTIONS = FunctionRegistry.discover(
            RequestParsingFuzzTest.class.getClassLoader(), Settings.EMPTY);
    private static final String[] OPTIONS = {"maxConcurrency", "taskTimeout", "retries", "failFast", "cpuBackend",
            "chunkSize", "wait"};

    @AfterAll
    static void close() {
        FUNCTIONS.close();
    }

    @FuzzTest(maxDuration = "60s")
    void anyBodyAndQueryGivesTasksOrA4xxProblem(FuzzedDataProvider data) {
        boolean ndjson = data.consumeBoolean();
        Map<String, String> query = new java.util.HashMap<>();
        int options = data.consumeInt(0, 3);
        for (int i = 0; i < options; i++) {
            query.put(data.pickValue(OPTIONS), data.consumeString(40));
        }
        // the caller's key: without quota (0), or one whose max-concurrency caps the batch's
        int keyMaxConcurrency = data.consumeInt(0, 4) * 3;
        byte[] body = data.consumeRemainingAsBytes();
        BatchRequestReader reader = new BatchRequestReader(FUNCTIONS, 1000, 4096);
        try {
            var in = new LimitedInputStream(new ByteArrayInputStream(body), 64 * 1024);
            BatchRequestReader.Parsed parsed = ndjson ? reader.readNdjson(in) : reader.readJson(in);
            var parsedOptions = new OptionsParser(BATCH, Set.of("processes", "threads"), "narrow", keyMaxConcurrency)
                    .parse(parsed.options(), query::get);
            assertTrue(keyMaxConcurrency == 0 || parsedOptions.maxConcurrency() <= keyMaxConcurrency,
                    "a batch never gets more than its key's max-concurrency: " + parsedOptions.maxConcurrency());
        } catch (ProblemException e) {
            int status = e.problem().status();
            assertTrue(status >= 400 && status < 500, "status " + status);
            assertTrue(e.problem().detail() != null && !e.problem().detail().isBlank(), "a problem says what to fix");
        }
    }

    /** Two submitter keys (one given as its digest), an admin and a legacy list, as TenancyTest configures them. */
    private static final Map<String, String> SECRETS = Map.of("alice", "alice-secret", "bob", "bob-secret",
            "root", "root-secret", "api-keys[0]", "legacy-secret");
    private static final ApiKeys KEYS = new ApiKeys(true, java.util.List.of("legacy-secret"), Map.of(
            "alice", new ApiKeys.KeySpec(java.util.List.of("alice-secret"), "submitter", dev.fanout.store.Quota.NONE),
            "bob", new ApiKeys.KeySpec(java.util.List.of("sha256:" + TenancyTest.sha256("bob-secret")), "submitter",
                    dev.fanout.store.Quota.NONE),
            "root", new ApiKeys.KeySpec(java.util.List.of("root-secret"), "admin", dev.fanout.store.Quota.NONE)));

    /**
     * Whatever the Authorization header, it names exactly the key whose secret it carries, or none (a 401): never
     * another key, never the digest's owner for the digest itself, never an exception.
     */
    @FuzzTest(maxDuration = "30s")
    void anyAuthorizationNamesItsOwnKeyOrNone(FuzzedDataProvider data) {
        String header = data.consumeRemainingAsString();
        String key = ApiKeyFilter.bearer(header);
        if (key == null) {
            return; // no bearer key: 401
        }
        var caller = KEYS.resolve(key);
        String expected = SECRETS.entrySet().stream().filter(e -> e.getValue().equals(key)).map(Map.Entry::getKey)
                .findFirst().orElse(null);
        assertTrue(java.util.Objects.equals(expected, caller.map(dev.fanout.execution.engine.Caller::name).orElse(null)),
                "'" + key + "' resolved to " + caller);
        caller.ifPresent(c -> assertTrue(c.admin() == c.name().equals("root") && c.legacy() == c.name()
                .startsWith("api-keys["), "its role: " + c));
    }

    /** The batch limits of the default configuration, without starting Quarkus. */
    private static final BatchConfig BATCH = (BatchConfig) Proxy.newProxyInstance(
            BatchConfig.class.getClassLoader(), new Class<?>[]{BatchConfig.class},
            (proxy, method, args) -> switch (method.getName()) {
                case "maxTasks" -> 1000;
                case "defaultMaxConcurrency" -> 10_000;
                case "defaultTaskTimeout" -> Duration.ofMinutes(5);
                case "maxTaskTimeout" -> Duration.ofHours(1);
                case "maxRetries" -> 10;
                case "defaultCpuBackend" -> "processes";
                default -> throw new UnsupportedOperationException(method.getName());
            });
}
