package dev.fanout.testing;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Keeps every span the service's OpenTelemetry SDK ends, for the Quarkus tests of tracing: Quarkus adds each
 * {@link SpanProcessor} bean to the SDK it starts, and to none when the SDK is off.
 */
@Singleton
public class SpanRecorder implements SpanProcessor {
    private final List<SpanData> ended = new CopyOnWriteArrayList<>();

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
    }

    @Override
    public boolean isStartRequired() {
        return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {
        ended.add(span.toSpanData());
    }

    @Override
    public boolean isEndRequired() {
        return true;
    }

    public List<SpanData> ended() {
        return List.copyOf(ended);
    }

    /** The ended spans named {@code name}. */
    public List<SpanData> named(String name) {
        return ended().stream().filter(s -> s.getName().equals(name)).toList();
    }
}
