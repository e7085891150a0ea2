package dev.tasksync.wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import dev.tasksync.fanout.Frame;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every message the server sends, whatever the transport, encoded to UTF-8 JSON bytes exactly
 * once, with its kind ({@link Frame#event()}: what SSE names its events). Constant replies are
 * encoded at start-up (and framed once per transport); an event is encoded once and the bytes are
 * shared by all recipients.
 */
public final class ServerMessages {

    /** Kind of a task event for its owner. */
    public static final String TASK_UPDATE = "task_update";
    /** Kind of a topic event (the endpoint document's WSEvent). */
    public static final String TOPIC_EVENT = "topic_event";
    /** Kind of an error reply; a refused topic at connect is one too. */
    public static final String ERROR = "error";
    /** Kind of a topic's presence snapshot, sent after a subscribe with {@code "presence":true}. */
    public static final String PRESENCE_STATE = "presence_state";
    /** Kind of a batch of presence changes of one topic. */
    public static final String PRESENCE_DIFF = "presence_diff";
    /** Kind of an ephemeral client signal (typing, …) relayed to a topic's subscribers. */
    public static final String SIGNAL = "signal";

    /** A member of a topic as presence shows it: the user, their open connections on it (all replicas), their info. */
    public record Member(String userId, int connections, java.util.Map<String, String> info) {
    }

    /** Reply to the realtime skill's {@code {"type":"ping"}}. */
    public static final Frame PONG_TYPE = Frame.reply("pong", ascii("{\"type\":\"pong\"}"));
    /** Reply to the endpoint document's {@code {"action":"ping"}}. */
    public static final Frame PONG_ACTION = Frame.reply("pong", ascii("{\"action\":\"pong\"}"));
    /** History no longer covers the client's gap: it must refetch its state. */
    public static final Frame RESYNC_REQUIRED = Frame.reply("resync_required", ascii("{\"type\":\"resync_required\"}"));
    public static final Frame BINARY_NOT_SUPPORTED = Frame.reply(ERROR,
            ascii("{\"error\":\"Invalid message format\",\"details\":\"binary frames are not supported\"}"));

    private final JsonMapper json;

    public ServerMessages(JsonMapper json) {
        this.json = json;
    }

    /**
     * Greeting sent first on every connection (both seed dialects read it). {@code resumed} is
     * present when the client asked to resume: true means the missed events follow.
     */
    public Frame connected(String greeting, String userId, String connectionId, Instant now, Boolean resumed,
            java.util.Collection<String> topics) {
        return Frame.reply("connected", write(g -> {
            g.writeStringProperty("type", "connected");
            g.writeStringProperty("message", greeting);
            g.writeStringProperty("user_id", userId);
            g.writeStringProperty("connection_id", connectionId);
            g.writeStringProperty("timestamp", now.toString());
            if (resumed != null) {
                g.writeBooleanProperty("resumed", resumed);
            }
            if (topics != null) {
                // The topics named at connect that were joined (refused ones get an error each).
                g.writeArrayPropertyStart("topics");
                for (String topic : topics) {
                    g.writeString(topic);
                }
                g.writeEndArray();
            }
        }));
    }

    /** Reply to a successful {@code {"type":"auth"}}. */
    public Frame authenticated(Instant expiresAt) {
        ObjectNode n = json.createObjectNode();
        n.put("type", "authenticated");
        n.put("expires_at", expiresAt == null ? null : expiresAt.toString());
        return Frame.reply("authenticated", json.writeValueAsBytes(n));
    }

    /** Reply to {@code {"type":"resume"}}. */
    public Frame resumed(boolean resumed) {
        ObjectNode n = json.createObjectNode();
        n.put("type", "resumed");
        n.put("resumed", resumed);
        return Frame.reply("resumed", json.writeValueAsBytes(n));
    }

    /** {@code {"type":"task_update","event":…,"task":…,"id":…,"timestamp":…}} for the task's owner. */
    public byte[] taskUpdate(String eventType, JsonNode task, String id, String timestamp) {
        // Streamed, not built as a tree: this runs once per event, on the ingest path.
        return write(g -> {
            g.writeStringProperty("type", "task_update");
            g.writeStringProperty("event", eventType);
            g.writeName("task");
            json.writeTree(g, task);
            g.writeStringProperty("id", id);
            g.writeStringProperty("timestamp", timestamp);
        });
    }

    /** The endpoint document's WSEvent {@code {"topic":…,"event":…,"data":…}}, plus the event id. */
    public byte[] topicEvent(String topic, String event, JsonNode data, String id) {
        return write(g -> {
            g.writeStringProperty("topic", topic);
            g.writeStringProperty("event", event);
            g.writeName("data");
            json.writeTree(g, data);
            g.writeStringProperty("id", id);
        });
    }

    /**
     * Who is on {@code topic}: the reply to {@code {"action":"presence"}} ({@code type} null) or a
     * {@code presence_state} snapshot. {@code members} null means counts only (a topic above the
     * member limit).
     */
    public Frame presence(String type, String topic, java.util.Collection<Member> members, int count) {
        return Frame.reply(type == null ? "presence" : type, write(g -> {
            if (type == null) {
                g.writeStringProperty("action", "presence");
            } else {
                g.writeStringProperty("type", type);
            }
            g.writeStringProperty("topic", topic);
            if (members != null) {
                writeMembers(g, "users", members, true);
            }
            g.writeNumberProperty("count", count);
        }));
    }

    /**
     * {@code {"type":"presence_diff","topic":…,"joins":[…],"leaves":[…],"count":N}}, encoded once
     * for all of the topic's watchers; {@code joins} and {@code leaves} null: counts only.
     */
    public Frame presenceDiff(String topic, java.util.Collection<Member> joins, java.util.Collection<String> leaves,
            int count) {
        return Frame.reply(PRESENCE_DIFF, write(g -> {
            g.writeStringProperty("type", PRESENCE_DIFF);
            g.writeStringProperty("topic", topic);
            if (joins != null) {
                writeMembers(g, "joins", joins, false);
                g.writeArrayPropertyStart("leaves");
                for (String user : leaves) {
                    g.writeStartObject();
                    g.writeStringProperty("user_id", user);
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeNumberProperty("count", count);
        }));
    }

    /** {@code {"type":"signal","topic":…,"event":…,"from":…,"data":…}}, encoded once for every recipient. */
    public Frame signal(String topic, String event, String from, JsonNode data) {
        return Frame.ephemeral(SIGNAL, write(g -> {
            g.writeStringProperty("type", SIGNAL);
            g.writeStringProperty("topic", topic);
            g.writeStringProperty("event", event);
            g.writeStringProperty("from", from);
            if (data != null) {
                g.writeName("data");
                json.writeTree(g, data);
            }
        }));
    }

    /** {@code name: [{"user_id":…,("connections":N,)"info":{…}}, …]}. */
    private static void writeMembers(JsonGenerator g, String name, java.util.Collection<Member> members,
            boolean connections) {
        g.writeArrayPropertyStart(name);
        for (Member m : members) {
            g.writeStartObject();
            g.writeStringProperty("user_id", m.userId());
            if (connections) {
                g.writeNumberProperty("connections", m.connections());
            }
            g.writeObjectPropertyStart("info");
            for (var e : m.info().entrySet()) {
                g.writeStringProperty(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    public Frame subscription(String action, String topic) {
        ObjectNode n = json.createObjectNode();
        n.put("action", action);
        n.put("topic", topic);
        return Frame.reply(action, json.writeValueAsBytes(n));
    }

    /** {@code {"error":…}} plus optional string fields given as name/value pairs. */
    public Frame error(String error, String... fields) {
        return Frame.reply(ERROR, errorBody(error, null, fields));
    }

    /**
     * The last message of a stream the server ends ({@code {"type":"close","code":…,"reason":…}}),
     * for transports without a close frame of their own (SSE).
     */
    public Frame close(Close close) {
        ObjectNode n = json.createObjectNode();
        n.put("type", "close");
        n.put("code", close.code());
        n.put("reason", close.reason());
        return Frame.reply("close", json.writeValueAsBytes(n));
    }

    /** A connection refused before its stream began, as an HTTP response body: {@code {"error":…,"code":…,"reason":…}}. */
    public byte[] refusal(Close refusal) {
        return errorBody(refusal.reason(), refusal);
    }

    private byte[] errorBody(String error, Close close, String... fields) {
        ObjectNode n = json.createObjectNode();
        n.put("error", error);
        if (close != null) {
            n.put("code", close.code());
            n.put("reason", close.reason());
        }
        for (int i = 0; i + 1 < fields.length; i += 2) {
            n.put(fields[i], fields[i + 1]);
        }
        return json.writeValueAsBytes(n);
    }

    /** One JSON object, its properties written by {@code body}. */
    private byte[] write(java.util.function.Consumer<JsonGenerator> body) {
        var out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            body.accept(g);
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
