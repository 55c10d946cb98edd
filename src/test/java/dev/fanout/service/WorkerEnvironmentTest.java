package dev.fanout.service;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What a worker process's environment is made of: the allowlist, the operator's variables, the function settings. */
class WorkerEnvironmentTest {
    private static final Map<String, String> SERVICE = Map.of(
            "PATH", "/usr/local/bin:/usr/bin", "HOME", "/home/fanout", "LANG", "C.UTF-8",
            "FANOUT_AUTH_API_KEYS", "s3cret-key", "FANOUT_STORE_PASSWORD", "db-password",
            "AWS_SECRET_ACCESS_KEY", "aws-secret", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/x");

    @Test
    void onlyTheAllowedVariablesOfTheServicePass() {
        Map<String, String> env = EngineProducer.workerEnvironment(SERVICE,
                List.of("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR"), Map.of(), Map.of());
        assertEquals(Map.of("PATH", "/usr/local/bin:/usr/bin", "HOME", "/home/fanout", "LANG", "C.UTF-8"), env);
    }

    @Test
    void theOperatorsVariablesAndTheFunctionSettingsAreAdded() {
        Map<String, String> env = EngineProducer.workerEnvironment(SERVICE, List.of("PATH", " AWS_SECRET_ACCESS_KEY"),
                Map.of("GREETING", "hello"), Map.of("fanout.functions.exec.allowed", "echo"));
        assertEquals(Map.of("PATH", "/usr/local/bin:/usr/bin", "AWS_SECRET_ACCESS_KEY", "aws-secret",
                "GREETING", "hello", "FANOUT_FUNCTIONS_EXEC_ALLOWED", "echo"), env);
    }
}
