package dev.fanout.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.core.Json;
import dev.fanout.execution.Backend;
import dev.fanout.execution.Engine;
import dev.fanout.execution.EngineConfig;
import dev.fanout.execution.local.LocalBackend;
import dev.fanout.spi.FunctionRegistry;
import dev.fanout.spi.Settings;
import dev.fanout.worker.TaskRunner;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.LinkedHashMap;
import java.util.Map;

/** Wires the framework-free engine into Quarkus: functions, backends, configuration, metrics. */
public class EngineProducer {

    @Produces
    @Singleton
    FunctionRegistry functions() {
        return FunctionRegistry.discover(Thread.currentThread().getContextClassLoader());
    }

    @Produces
    @Singleton
    Engine engine(FunctionRegistry functions, FanoutConfig config, MeterRegistry meters) {
        Settings settings = key -> ConfigProvider.getConfig().getOptionalValue(key, String.class);
        TaskRunner runner = new TaskRunner(functions, settings);
        Map<String, Backend> backends = new LinkedHashMap<>();
        backends.put(LocalBackend.VIRTUAL_THREADS, LocalBackend.virtualThreads(runner));
        int threads = config.cpu().threads().orElse(Runtime.getRuntime().availableProcessors());
        backends.put(LocalBackend.THREADS, LocalBackend.threadPool(threads, runner));
        EngineConfig engineConfig = new EngineConfig(config.io().maxConcurrency(), config.batch().retention(),
                config.batch().maxRetained(), config.retry().initialBackoff(), config.retry().maxBackoff());
        Engine engine = new Engine(functions, backends, LocalBackend.VIRTUAL_THREADS, null, engineConfig,
                new MetricsListener(meters));
        MetricsListener.registerGauges(meters, engine);
        return engine;
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
