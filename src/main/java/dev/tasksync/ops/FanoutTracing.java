package dev.tasksync.ops;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.Map;

/**
 * The {@code tasksync.fanout} span: one per event, continuing the producer's trace.
 *
 * <p>The parent is the CloudEvent's {@code traceparent} (distributed tracing extension: the
 * producer's context, carried through the broker with the event), else the HTTP
 * {@code traceparent} header the delivering daprd sent, else none (a new trace). Off unless
 * OpenTelemetry is enabled ({@code management.opentelemetry.enabled}, false in application.yaml):
 * without the SDK's tracer provider nothing could be recorded, so {@link #enabled()} is false,
 * decided once, and the event path does no tracing work at all. Tags are counts and kinds only:
 * no user ids, topics or payload.
 */
public final class FanoutTracing {

    public static final String SPAN_NAME = "tasksync.fanout";
    private static final String TRACEPARENT = "traceparent";
    private static final String TRACESTATE = "tracestate";

    private final Tracer tracer;
    private final Propagator propagator;
    private final boolean enabled;

    /** {@code recording}: an SDK that records spans exists (else the tracer only makes no-op spans). */
    public FanoutTracing(Tracer tracer, Propagator propagator, boolean recording) {
        this.tracer = tracer;
        this.propagator = propagator;
        this.enabled = recording && tracer != Tracer.NOOP && propagator != Propagator.NOOP;
    }

    public boolean enabled() {
        return enabled;
    }

    /**
     * Starts the fan-out span of one event (call only when {@link #enabled()}); the caller ends it.
     * The envelope's context wins over the header's: see the class comment.
     */
    public Span start(String eventId, String kind, String eventType, String envelopeTraceparent,
            String envelopeTracestate, String headerTraceparent, String headerTracestate) {
        Map<String, String> carrier = envelopeTraceparent != null
                ? context(envelopeTraceparent, envelopeTracestate)
                : headerTraceparent != null ? context(headerTraceparent, headerTracestate) : Map.of();
        return propagator.extract(carrier, Map::get)
                .name(SPAN_NAME)
                .kind(Span.Kind.CONSUMER)
                .tag("cloudevents.event_id", eventId)
                .tag("tasksync.event.kind", kind)
                .tag("tasksync.event.type", eventType)
                .start();
    }

    /** Records the outcome on the span. */
    public static void outcome(Span span, boolean duplicate, int delivered, int dropped) {
        span.tag("tasksync.duplicate", duplicate);
        span.tag("tasksync.recipients", delivered);
        span.tag("tasksync.dropped", dropped);
    }

    /** Makes {@code span} current (log correlation) until the returned scope is closed. */
    public Tracer.SpanInScope inScope(Span span) {
        return tracer.withSpan(span);
    }

    private static Map<String, String> context(String traceparent, String tracestate) {
        return tracestate == null ? Map.of(TRACEPARENT, traceparent) : Map.of(TRACEPARENT, traceparent, TRACESTATE, tracestate);
    }
}
