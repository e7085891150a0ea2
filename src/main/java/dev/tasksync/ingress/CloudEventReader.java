package dev.tasksync.ingress;

import java.time.Clock;
import java.util.Base64;
import java.util.UUID;
import dev.tasksync.wire.JsonErrors;
import org.springframework.http.MediaType;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads one delivery from Dapr: a structured CloudEvent ({@code application/cloudevents+json},
 * or JSON carrying {@code specversion}) or a raw JSON payload. Anything that cannot become an
 * {@link InboundEvent} is rejected with a {@link MalformedEventException} naming the reason.
 * Unknown fields are ignored.
 */
public final class CloudEventReader {

    private final JsonMapper json;
    private final Clock clock;

    public CloudEventReader(JsonMapper json, Clock clock) {
        this.json = json;
        this.clock = clock;
    }

    public InboundEvent read(byte[] body, MediaType contentType) {
        return read(parse(body, contentType));
    }

    /** The delivery's JSON object: one event, or Dapr's bulk envelope (see {@link BulkEnvelope}). */
    public JsonNode parse(byte[] body, MediaType contentType) {
        if (contentType != null && !isJson(contentType)) {
            // The value is not echoed: it is attacker-controlled and goes to the log.
            throw new MalformedEventException("content_type", "unsupported content type");
        }
        return parseObject(body, "body");
    }

    /** One event already parsed: a CloudEvent envelope or a raw payload object. */
    public InboundEvent read(JsonNode root) {
        long receivedNanos = System.nanoTime();
        long receivedMillis = clock.millis();
        if (!root.has("specversion")) {
            return payload(root, UUID.randomUUID().toString(), null,
                    new InboundEvent.Origin(receivedMillis, receivedNanos, null, null));
        }
        String id = string(root, "id");
        if (id == null) {
            throw new MalformedEventException("missing_id", "CloudEvent without id");
        }
        String dataContentType = string(root, "datacontenttype");
        if (dataContentType != null && !isJson(parseMediaType(dataContentType))) {
            throw new MalformedEventException("content_type", "unsupported datacontenttype");
        }
        String time = string(root, "time");
        var origin = new InboundEvent.Origin(epochMillis(time, receivedMillis), receivedNanos,
                string(root, "traceparent"), string(root, "tracestate"));
        return payload(data(root), id, time, origin);
    }

    /** The CloudEvent {@code time} (RFC 3339) in epoch millis; {@code fallback} when absent or unreadable. */
    private static long epochMillis(String time, long fallback) {
        // Only feeds the latency metric: an unreadable time is not a reason to drop the event.
        long millis = time == null ? CloudEventTime.UNREADABLE : CloudEventTime.epochMillis(time);
        return millis == CloudEventTime.UNREADABLE ? fallback : millis;
    }

    private JsonNode data(JsonNode envelope) {
        JsonNode data = envelope.get("data");
        if (data != null && data.isObject()) {
            return data;
        }
        if (data != null && data.isString()) {
            // Some publishers send JSON as a string; accept it when it is an object.
            return parseObject(data.stringValue().getBytes(java.nio.charset.StandardCharsets.UTF_8), "data");
        }
        JsonNode base64 = envelope.get("data_base64");
        if ((data == null || data.isNull()) && base64 != null && base64.isString()) {
            try {
                return parseObject(Base64.getDecoder().decode(base64.stringValue()), "data_base64");
            } catch (IllegalArgumentException e) {
                throw new MalformedEventException("bad_data", "data_base64 is not base64");
            }
        }
        if (data == null || data.isNull()) {
            throw new MalformedEventException("missing_data", "CloudEvent without data");
        }
        throw new MalformedEventException("bad_data", "data must be a JSON object");
    }

    private InboundEvent payload(JsonNode data, String id, String eventTime, InboundEvent.Origin origin) {
        String topic = string(data, "topic");
        if (topic != null) {
            String event = string(data, "event");
            if (event == null) {
                throw new MalformedEventException("missing_event", "topic event without event");
            }
            JsonNode payload = data.get("data");
            return new InboundEvent.Topic(id, topic, event, payload == null ? json.nullNode() : payload, origin);
        }
        String userId = userId(data);
        String eventType = string(data, "event_type");
        if (eventType == null) {
            throw new MalformedEventException("missing_event_type", "task event without event_type");
        }
        String timestamp = string(data, "timestamp");
        if (timestamp == null) {
            timestamp = eventTime != null ? eventTime : clock.instant().toString();
        }
        return new InboundEvent.Task(id, userId, eventType, task(data), timestamp, origin);
    }

    /** The skill's nested {@code task}, or the guide's flat fields gathered into one. */
    private JsonNode task(JsonNode data) {
        JsonNode task = data.get("task");
        if (task != null) {
            if (!task.isObject()) {
                throw new MalformedEventException("bad_task", "task must be a JSON object");
            }
            return task;
        }
        ObjectNode flat = json.createObjectNode();
        for (var field : data.properties()) {
            String name = field.getKey();
            if (!name.equals("event_type") && !name.equals("user_id")) {
                flat.set(name, field.getValue());
            }
        }
        JsonNode taskId = data.get("task_id");
        if (!flat.has("id") && taskId != null) {
            flat.set("id", taskId);
        }
        return flat;
    }

    private static String userId(JsonNode data) {
        JsonNode u = data.get("user_id");
        if (u != null && u.isString() && !u.stringValue().isBlank()) {
            return u.stringValue();
        }
        if (u != null && u.isIntegralNumber()) {
            return u.asString(); // the endpoint document's backend uses integer ids
        }
        throw new MalformedEventException("missing_user_id", "task event without user_id");
    }

    /** A bulk entry's {@code event}: the CloudEvent object, or base64 data for raw-payload subscriptions. */
    public InboundEvent readEntry(JsonNode event) {
        if (event != null && event.isObject()) {
            return read(event);
        }
        if (event != null && event.isString()) {
            try {
                return read(parseObject(Base64.getDecoder().decode(event.stringValue()), "event"));
            } catch (IllegalArgumentException e) {
                throw new MalformedEventException("bad_data", "entry event is not base64");
            }
        }
        throw new MalformedEventException("missing_data", "bulk entry without event");
    }

    private JsonNode parseObject(byte[] bytes, String what) {
        JsonNode node;
        try {
            node = json.readTree(bytes);
        } catch (JacksonException e) {
            throw new MalformedEventException("invalid_json", what + " is " + JsonErrors.describe(e));
        }
        if (node == null || !node.isObject()) {
            throw new MalformedEventException("invalid_json", what + " is not a JSON object");
        }
        return node;
    }

    private static String string(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isString() && !v.stringValue().isBlank() ? v.stringValue() : null;
    }

    private static boolean isJson(MediaType type) {
        return type != null && (type.isCompatibleWith(MediaType.APPLICATION_JSON)
                || "cloudevents+json".equals(type.getSubtype())
                || type.getSubtype().endsWith("+json"));
    }

    private static MediaType parseMediaType(String value) {
        try {
            return MediaType.parseMediaType(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
