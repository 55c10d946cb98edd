package dev.fanout.config;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;

import java.util.List;

/**
 * Keeps the OpenTelemetry SDK off unless an OTLP endpoint is configured: tracing has one switch,
 * {@code quarkus.otel.exporter.otlp.endpoint} (or {@code .traces.endpoint}, or their {@code QUARKUS_OTEL_...}
 * environment variables). Quarkus' own default would start the SDK with an exporter that retries
 * {@code localhost:4317} and logs its failures on every machine without a collector. A
 * {@code quarkus.otel.sdk.disabled} set anywhere (another exporter, say) still wins.
 */
public class TracingConfigInterceptor implements ConfigSourceInterceptor {
    static final String SDK_DISABLED = "quarkus.otel.sdk.disabled";
    static final List<String> ENDPOINTS = List.of("quarkus.otel.exporter.otlp.endpoint",
            "quarkus.otel.exporter.otlp.traces.endpoint");

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue given = context.proceed(name);
        if (!SDK_DISABLED.equals(name) || isSet(given)) {
            return given;
        }
        boolean endpoint = ENDPOINTS.stream().anyMatch(e -> isSet(context.proceed(e)));
        return ConfigValue.builder().withName(name).withValue(String.valueOf(!endpoint))
                .withConfigSourceName("quarkus.otel.exporter.otlp.endpoint").build();
    }

    /**
     * Set by someone: mapping defaults (Quarkus' {@code @WithDefault}) sit in a source of the lowest ordinals, below
     * every file, variable and property a user can write.
     */
    private static boolean isSet(ConfigValue v) {
        return v != null && v.getValue() != null && !v.getValue().isBlank() && v.getConfigSourceOrdinal() >= 0;
    }
}
