package dev.tasksync.wire;

/**
 * What a client may send. Both seed dialects are accepted: {@code {"type":"ping"}} (realtime
 * skill) and {@code {"action":…}} (endpoint document).
 */
public sealed interface ClientMessage {

    /** Keep-alive; {@code actionDialect} says which reply shape the client expects. */
    record Ping(boolean actionDialect) implements ClientMessage {
    }

    /**
     * {@code topic} is null when the client left it out; {@code since} optionally resumes the topic;
     * {@code presence} also asks for the topic's presence snapshot and diffs.
     */
    record Subscribe(String topic, String since, boolean presence) implements ClientMessage {
        public Subscribe(String topic, String since) {
            this(topic, since, false);
        }
    }

    /** {@code {"action":"presence","topic":…}}: who is on the topic now. */
    record Presence(String topic) implements ClientMessage {
    }

    /**
     * {@code {"action":"signal","topic":…,"event":…,"data":…}}: an ephemeral message to the topic's
     * other subscribers; {@code data} is null when absent.
     */
    record Signal(String topic, String event, tools.jackson.databind.JsonNode data) implements ClientMessage {
    }

    /** {@code {"type":"resume","since":…}}: replay what was missed before this connection joined. */
    record Resume(String since) implements ClientMessage {
    }

    /** {@code topic} is null when the client left it out. */
    record Unsubscribe(String topic) implements ClientMessage {
    }

    /** {@code {"type":"auth","token":…}}: a fresh token for a live connection (same user). */
    record Auth(String token) implements ClientMessage {
    }

    /** Unknown type/action: ignored, so newer clients can talk to older servers. */
    record Ignored() implements ClientMessage {
    }

    /** Not a JSON object; {@code details} is safe to echo (never quotes the input). */
    record Invalid(String details) implements ClientMessage {
    }
}
