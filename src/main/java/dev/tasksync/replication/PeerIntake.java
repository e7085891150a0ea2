package dev.tasksync.replication;

import dev.tasksync.ingress.CloudEventReader;
import dev.tasksync.ingress.DaprReply;
import dev.tasksync.ingress.DaprRoute;
import dev.tasksync.ingress.MalformedEventException;
import dev.tasksync.ops.TasksyncMetrics;
import java.util.function.Consumer;
import org.springframework.http.MediaType;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Messages of the other replicas (presence, signals) as daprd delivers them: the CloudEvent's JSON
 * {@code data} goes to {@code consumer}; anything else is answered DROP and counted. Nothing here
 * is retried: these messages are worth nothing late, and a missed presence message is healed by
 * the sender's next snapshot.
 */
public final class PeerIntake implements DaprRoute.Handler {

    private final String kind;
    private final CloudEventReader reader;
    private final JsonMapper json;
    private final TasksyncMetrics metrics;
    private final Consumer<JsonNode> consumer;

    /** {@code kind} names the messages in the metrics ({@code presence}, {@code signal}). */
    public PeerIntake(String kind, CloudEventReader reader, JsonMapper json, TasksyncMetrics metrics,
            Consumer<JsonNode> consumer) {
        this.kind = kind;
        this.reader = reader;
        this.json = json;
        this.metrics = metrics;
        this.consumer = consumer;
    }

    @Override
    public Object route(byte[] body, MediaType contentType, String traceparent, String tracestate) {
        JsonNode data;
        try {
            JsonNode root = reader.parse(body, contentType);
            data = root.has("specversion") ? root.get("data") : root;
            if (data != null && data.isString()) {
                data = json.readTree(data.stringValue());
            }
        } catch (MalformedEventException | JacksonException e) {
            return drop();
        }
        if (data == null || !data.isObject()) {
            return drop();
        }
        try {
            consumer.accept(data);
        } catch (RuntimeException e) {
            // Fields of the wrong type and the like: a peer of another version, never worth a retry.
            return drop();
        }
        return DaprReply.SUCCESS;
    }

    private DaprReply drop() {
        metrics.daprReply("DROP", "malformed_" + kind);
        return DaprReply.DROP;
    }

    @Override
    public Object tooLarge() {
        return drop();
    }

    @Override
    public byte[] encode(Object reply) {
        return ((DaprReply) reply).json();
    }
}
