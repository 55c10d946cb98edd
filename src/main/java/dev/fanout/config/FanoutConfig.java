package dev.fanout.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** Every {@code fanout.*} configuration key of the service; the README lists them with their defaults. */
@ConfigMapping(prefix = "fanout")
public interface FanoutConfig {

    BatchConfig batch();

    Io io();

    Cpu cpu();

    Processes processes();

    Lambda lambda();

    Retry retry();

    Api api();

    HttpConfig http();

    Exec exec();

    Invoke invoke();

    AuthConfig auth();

    Shutdown shutdown();

    StoreConfig store();

    WarmUp warmup();

    /**
     * Before it reports ready, the service runs a few batches of no-op tasks through its own request reading, engine
     * and answer writing on a private in-memory engine, so that the JIT has compiled those paths before a user's
     * first batch (see api.WarmUp). Nothing of it reaches the store, the metrics or the API.
     */
    interface WarmUp {
        @WithDefault("true")
        boolean enabled();

        /** Batches of {@link #tasks()} 1 ms sleeps each. */
        @WithDefault("3")
        int rounds();

        /**
         * Measured on 2 cores (first 100,000-task batch against the next three, three fresh services each): 3 x 20,000
         * gave 1.18-1.51 (median of five 1.34) and 5.6 s to ready; 3 x 50,000 1.08-1.20 and 8.4 s; 2 x 100,000
         * 1.24-1.31 and 9.5 s.
         */
        @WithDefault("50000")
        int tasks();
    }

    /**
     * Settings of user functions, {@code fanout.functions.<anything>}: read by the functions themselves through
     * their {@code TaskContext.settings()}; declared here so that other unknown {@code fanout.*} keys (typos) still
     * stop the service at start-up.
     */
    Map<String, String> functions();

    interface Io {
        /** IO tasks in flight across all batches. */
        @WithDefault("100000")
        int maxConcurrency();
    }

    interface Cpu {
        /** Platform threads of the in-process {@code threads} backend; default: the number of cores. */
        Optional<Integer> threads();
    }

    interface Processes {
        /** Worker processes in the pool; default: the number of cores. */
        Optional<Integer> workers();

        /** JVM options of JVM workers (heap, an AOT cache, ...), separated by spaces. */
        @WithDefault("-XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -Xshare:auto")
        String jvmOptions();

        /** A worker is replaced after this many tasks (like max_tasks_per_child); 0: never. */
        @WithDefault("0")
        int maxTasksPerWorker();

        /** A worker that has not started by then counts as failed at start-up. */
        @WithDefault("30s")
        Duration startTimeout();

        /** Wait before starting workers again after they kept failing at start-up. */
        @WithDefault("10s")
        Duration restartBackoff();

        /** The command that starts a worker, replacing the detected one (words separated by spaces). */
        Optional<String> command();

        /**
         * The service's environment variables a worker gets, by name. A worker starts from an empty environment
         * besides these, {@link #environment()} and the function settings, so that API keys, the store's and the
         * cloud's credentials stay in the service where a user's function jar cannot read them.
         */
        @WithDefault("PATH,HOME,LANG,LC_ALL,TZ,TMPDIR")
        List<String> passEnvironment();

        /** Variables every worker gets: {@code fanout.processes.environment.<NAME>=<value>}. */
        Map<String, String> environment();
    }

    interface Lambda {
        /** The worker function (name, ARN or name:alias). Without it there is no {@code lambda} backend. */
        Optional<String> functionName();

        /** Its region, and the {@code invoke} function's; default: the AWS SDK's chain (AWS_REGION, the profile). */
        Optional<String> region();

        /** Another endpoint for the Lambda API (the backend's and {@code invoke}'s): the local emulator, LocalStack. */
        Optional<java.net.URI> endpointOverride();

        /** Invocations in flight at most. */
        @WithDefault("100")
        int maxConcurrency();

        /** The worker function's configured timeout; the HTTP read timeout is set above it. */
        @WithDefault("15m")
        Duration functionTimeout();

        /** Largest event sent to the function (AWS allows 6,291,456 bytes). */
        @WithDefault("6000000")
        int maxChunkBytes();

        /** How long a throttled (or 5xx) chunk is sent again before its tasks fail with BACKEND_ERROR. */
        @WithDefault("10m")
        Duration retryBudget();
    }

    interface Retry {
        /** Wait before the first retry, doubled for each further one (with jitter). */
        @WithDefault("100ms")
        Duration initialBackoff();

        @WithDefault("10s")
        Duration maxBackoff();
    }

    /** The {@code exec} function: off until commands are allowlisted. */
    interface Exec {
        /** Absolute paths of the programs {@code exec} may run; none: the function is disabled. */
        Optional<List<String>> allowedCommands();

        /** stdout and stderr bytes kept each. */
        @WithDefault("1048576")
        long maxOutputBytes();
    }

    /** The {@code invoke} function (existing Lambda functions as tasks): off until functions are allowed. */
    interface Invoke {
        /**
         * The functions {@code invoke} tasks may call, comma-separated; none: every invoke task is refused. {@code *}
         * matches any run of characters. A pattern without {@code :} matches the function's name in whatever form a
         * task gives it (name, {@code name:qualifier}, partial or full ARN); a pattern
         * {@code arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME} matches full-ARN targets segment by segment (any
         * qualifier), and targets without a region when {@code fanout.lambda.region} and the name match (their
         * account cannot be checked here: IAM has the last word).
         */
        Optional<List<String>> allowedFunctions();

        /**
         * Invocations in flight to one function at most. Each function's limit adapts below it: a 429 lowers it,
         * successes raise it again.
         */
        @WithDefault("100")
        int maxPerFunction();
    }

    interface Shutdown {
        /** On SIGTERM, running batches get this long to finish before their remaining tasks are cancelled. */
        @WithDefault("30s")
        Duration gracePeriod();
    }

    interface Api {
        /** The longest {@code ?wait=} a client may ask for. */
        @WithDefault("5m")
        Duration maxWait();

        /** Request body bytes at most (a million-task NDJSON batch is about 50 MB); more gets 413. */
        @WithDefault("268435456")
        long maxBodyBytes();
    }
}
