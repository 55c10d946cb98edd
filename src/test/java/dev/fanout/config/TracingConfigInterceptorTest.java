package dev.fanout.config;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One switch for tracing: an OTLP endpoint turns the SDK on; an explicit quarkus.otel.sdk.disabled still wins. */
class TracingConfigInterceptorTest {

    /** As Quarkus reads it: its mapping default ("false") in the lowest source, {@code given} in a file's. */
    private static boolean sdkDisabled(Map<String, String> given) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withInterceptors(new TracingConfigInterceptor())
                .withDefaultValue(TracingConfigInterceptor.SDK_DISABLED, "false")
                .withSources(new PropertiesConfigSource(given, "application.properties", 250))
                .build();
        return config.getValue(TracingConfigInterceptor.SDK_DISABLED, Boolean.class);
    }

    @Test
    void theSdkIsOffWithoutAnEndpoint() {
        assertTrue(sdkDisabled(Map.of()));
        assertTrue(sdkDisabled(Map.of("quarkus.otel.exporter.otlp.endpoint", " ")), "a blank endpoint is none");
    }

    @Test
    void anEndpointTurnsItOn() {
        assertFalse(sdkDisabled(Map.of("quarkus.otel.exporter.otlp.endpoint", "http://collector:4317")));
        assertFalse(sdkDisabled(Map.of("quarkus.otel.exporter.otlp.traces.endpoint", "http://collector:4318")));
    }

    @Test
    void anExplicitSettingWins() {
        assertTrue(sdkDisabled(Map.of("quarkus.otel.exporter.otlp.endpoint", "http://collector:4317",
                TracingConfigInterceptor.SDK_DISABLED, "true")));
        assertFalse(sdkDisabled(Map.of(TracingConfigInterceptor.SDK_DISABLED, "false")));
    }
}
