package dev.fanout.packaged;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

/**
 * The management interface ({@code /q/*}) of the app a {@code @QuarkusIntegrationTest} starts, on a free port given
 * to it as {@code quarkus.management.port} and to the test's {@link Port} field. Quarkus gives such a test only the
 * HTTP port it found in the app's log; the test profile's management port is 0 (any free one), which it cannot learn.
 */
public class ManagementPort implements QuarkusTestResourceLifecycleManager {
    /** Marks the test's {@code int} field that receives the port. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Port {
    }

    private int port;

    @Override
    public Map<String, String> start() {
        port = PackagedService.freePort();
        return Map.of("quarkus.management.port", String.valueOf(port));
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(port, new TestInjector.AnnotatedAndMatchesType(Port.class, int.class));
    }

    @Override
    public void stop() {
        // the app stops with the test; the port was only a number
    }
}
