package dev.tasksync.ingress;

import tools.jackson.databind.JsonNode;

/** An event taken from a Dapr delivery, validated and ready to fan out. */
public sealed interface InboundEvent {

    /** The CloudEvent id (generated for raw payloads). */
    String id();

    /**
     * A task change for one user: the realtime skill's {@code {event_type,user_id,task}} or
     * the service guide's flat form.
     */
    record Task(String id, String userId, String eventType, JsonNode task, String timestamp)
            implements InboundEvent {
    }

    /** The endpoint document's WSEvent {@code {topic,event,data}} for a shared topic. */
    record Topic(String id, String topic, String event, JsonNode data) implements InboundEvent {
    }
}
