package dev.fanout.service;

import dev.fanout.api.ApiKeys;
import dev.fanout.config.FanoutConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.core.Json;
import dev.fanout.execution.backend.Backend;
import dev.fanout.execution.engine.Engine;
import dev.fanout.execution.engine.EngineConfig;
import dev.fanout.execution.engine.EngineListener;
import dev.fanout.execution.engine.EngineListeners;
import dev.fanout.execution.local.LocalBackend;
import dev.fanout.functions.invoke.Invoke;
import dev.fanout.registry.FunctionRegistry;
import dev.fanout.spi.Settings;
import dev.fanout.store.Store;
import dev.fanout.runner.TaskRunner;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Tracer;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.ConfigProvider;

import dev.fanout.execution.lambda.LambdaBackend;
import dev.fanout.execution.lambda.LambdaConfig;
import dev.fanout.execution.process.ProcessBackend;
import dev.fanout.execution.process.ProcessPoolConfig;
import dev.fanout.worker.process.WorkerCommand;
import dev.fanout.worker.process.WorkerSettings;
import org.eclipse.microprofile.config.Config;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Wires the framework-free engine into Quarkus: functions, backends, configuration, metrics, traces. */
public class EngineProducer {
    /** Functions read their settings from the service's configuration. */
    static final Settings SETTINGS = key -> ConfigProvider.getConfig().getOptionalValue(key, String.class);

    @Produces
    @Singleton
    FunctionRegistry functions() {
        // invoke needs the AWS SDK, which the Lambda worker is built without: a built-in of the service only
        return FunctionRegistry.discover(Thread.currentThread().getContextClassLoader(), SETTINGS,
                List.of(new Invoke()));
    }

    @Produces
    @Singleton
    Engine engine(FunctionRegistry functions, FanoutConfig config, MeterRegistry meters, Tracer tracer,
                  Store store, ApiKeys keys) {
        TaskRunner runner = new TaskRunner(functions, SETTINGS);
        Map<String, Backend> backends = new LinkedHashMap<>();
        backends.put(LocalBackend.VIRTUAL_THREADS, LocalBackend.virtualThreads(runner));
        int threads = config.cpu().threads().orElse(Runtime.getRuntime().availableProcessors());
        backends.put(LocalBackend.THREADS, LocalBackend.threadPool(threads, runner));
        ProcessBackend processes = new ProcessBackend(processPoolConfig(config.processes()));
        backends.put(ProcessBackend.NAME, processes);
        config.lambda().functionName().ifPresent(name -> backends.put(LambdaBackend.NAME, new LambdaBackend(
                new LambdaConfig(name, config.lambda().region(), config.lambda().endpointOverride(),
                        config.lambda().maxConcurrency(), config.lambda().functionTimeout(),
                        config.lambda().maxChunkBytes(), config.lambda().retryBudget()))));
        EngineConfig engineConfig = new EngineConfig(config.io().maxConcurrency(), config.batch().retention(),
                config.batch().maxRetained(), config.retry().initialBackoff(), config.retry().maxBackoff(),
                config.batch().maxRunning(), config.batch().maxRetainedTasks(),
                config.batch().maxRetainedBytes(), config.store().leaseDuration());
        Engine engine = new Engine(functions, backends, LocalBackend.VIRTUAL_THREADS, null, engineConfig,
                listener(meters, tracer, keys), store);
        MetricsListener.registerGauges(meters, engine, processes);
        return engine;
    }

    /**
     * Metrics, and traces when the OpenTelemetry SDK is on (an OTLP endpoint is configured, see
     * TracingConfigInterceptor). Off, Quarkus' tracer still makes spans that go nowhere: none are made for batches.
     */
    private static EngineListener listener(MeterRegistry meters, Tracer tracer, ApiKeys keys) {
        EngineListener metrics = new MetricsListener(meters, keys.enabled() ? keys.names() : Set.of("anonymous"));
        boolean tracing = !ConfigProvider.getConfig().getOptionalValue("quarkus.otel.sdk.disabled", Boolean.class)
                .orElse(false);
        return tracing ? EngineListeners.of(metrics, new TracingListener(tracer)) : metrics;
    }

    static ProcessPoolConfig processPoolConfig(FanoutConfig.Processes config) {
        int workers = config.workers().orElse(Runtime.getRuntime().availableProcessors());
        List<String> command = config.command().map(EngineProducer::words)
                .orElseGet(() -> WorkerCommand.detect(words(config.jvmOptions())));
        return new ProcessPoolConfig(workers, command, config.maxTasksPerWorker(), config.startTimeout(),
                config.restartBackoff(), workerEnvironment(System.getenv(), config.passEnvironment(),
                        config.environment(), functionSettings()));
    }

    /**
     * A worker's whole environment: the variables of the service's named in {@code pass}, then the operator's
     * {@code set}, then the function settings; nothing else of the service's (its keys and credentials).
     */
    static Map<String, String> workerEnvironment(Map<String, String> service, List<String> pass,
                                                 Map<String, String> set, Map<String, String> settings) {
        Map<String, String> env = new TreeMap<>();
        for (String name : pass) {
            String value = service.get(name.strip());
            if (value != null) {
                env.put(name.strip(), value);
            }
        }
        env.putAll(set);
        env.putAll(WorkerSettings.toEnvironment(settings));
        return env;
    }

    /**
     * The {@code fanout.*} settings a function may read, for worker processes; API keys and the store's credentials
     * stay in the service, and the pool's own settings are the pool's (its environment is set as it is).
     */
    static Map<String, String> functionSettings() {
        Config mp = ConfigProvider.getConfig();
        Map<String, String> settings = new TreeMap<>();
        for (String name : mp.getPropertyNames()) {
            if (name.startsWith("fanout.") && !name.startsWith("fanout.auth.") && !name.startsWith("fanout.store.")
                    && !name.startsWith("fanout.processes.")) {
                mp.getOptionalValue(name, String.class).ifPresent(v -> settings.put(name, v));
            }
        }
        return settings;
    }

    private static List<String> words(String s) {
        return Arrays.stream(s.trim().split("\\s+")).filter(w -> !w.isEmpty()).toList();
    }

    void close(@Disposes Engine engine) {
        engine.close();
    }

    void close(@Disposes FunctionRegistry functions) {
        functions.close();
    }

    /** One JSON configuration for REST answers and for the worker-side code. */
    @Produces
    @Singleton
    ObjectMapper objectMapper() {
        return Json.newMapper();
    }
}
