package dev.tasksync.ingress;

import tools.jackson.databind.JsonNode;

/** An event taken from a Dapr delivery, validated and ready to fan out. */
public sealed interface InboundEvent {

    /** The CloudEvent id (generated for raw payloads). */
    String id();

    /** When and from which trace the event came. */
    Origin origin();

    /**
     * A task change for one user: the realtime skill's {@code {event_type,user_id,task}} or
     * the service guide's flat form.
     */
    record Task(String id, String userId, String eventType, JsonNode task, String timestamp, Origin origin)
            implements InboundEvent {
    }

    /** The endpoint document's WSEvent {@code {topic,event,data}} for a shared topic. */
    record Topic(String id, String topic, String event, JsonNode data, Origin origin) implements InboundEvent {
    }

    /**
     * The delivery's envelope facts used for delivery latency and trace continuation.
     *
     * @param eventTimeMillis the CloudEvent {@code time} (epoch millis); when absent or unreadable,
     *        the moment the delivery was read
     * @param receivedNanos {@link System#nanoTime()} when the delivery was read
     * @param traceparent W3C trace context of the producer (CloudEvents distributed tracing
     *        extension attribute), or null
     * @param tracestate its companion attribute, or null
     */
    record Origin(long eventTimeMillis, long receivedNanos, String traceparent, String tracestate) {
    }
}
