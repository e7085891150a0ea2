package dev.tasksync.signal;

import dev.tasksync.fanout.Delivery;
import dev.tasksync.fanout.Frame;
import dev.tasksync.fanout.Hub;
import dev.tasksync.ops.TasksyncMetrics;
import dev.tasksync.replication.SidecarPublisher;
import dev.tasksync.session.ChannelSession;
import dev.tasksync.wire.ServerMessages;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Client signals: ephemeral messages (typing, …) from one subscriber of a topic to its other
 * subscribers, on every replica. A signal is checked (allow-listed name, subscribed topic, payload
 * cap, per-connection token bucket), encoded once, handed to this replica's other subscribers at
 * once and published through the sidecar (with a short message TTL) for the other replicas. It
 * never enters history, is never replayed, and is the first thing a backed-up connection drops
 * ({@link Frame#ephemeral}).
 */
public final class Signals {

    private final Hub hub;
    private final ServerMessages messages;
    private final JsonMapper json;
    private final SignalProperties props;
    private final SidecarPublisher sidecar;
    private final TasksyncMetrics metrics;
    private final String self;
    private final Set<String> allowed;
    private final long maxPayload;

    public Signals(Hub hub, ServerMessages messages, JsonMapper json, SignalProperties props, SidecarPublisher sidecar,
            TasksyncMetrics metrics, String self) {
        this.hub = hub;
        this.messages = messages;
        this.json = json;
        this.props = props;
        this.sidecar = sidecar;
        this.metrics = metrics;
        this.self = self;
        this.allowed = Set.copyOf(props.events());
        this.maxPayload = props.maxPayload().toBytes();
    }

    /**
     * Sends {@code c}'s signal; returns the error reply when it is refused (the connection stays
     * open), else null. Runs on the connection's inbound side.
     */
    public Frame send(ChannelSession c, String topic, String event, JsonNode data, long nowNanos) {
        if (topic == null) {
            return refused("missing_topic", messages.error("Topic is required for signal action"));
        }
        if (event == null || !allowed.contains(event)) {
            return refused("unknown", messages.error("Unknown signal", "topic", topic));
        }
        if (!c.topics().contains(topic)) {
            return refused("forbidden", messages.error("Forbidden", "topic", topic, "details",
                    "subscribe to the topic before signalling on it"));
        }
        if (data != null && json.writeValueAsBytes(data).length > maxPayload) {
            return refused("too_large", messages.error("Payload too large", "topic", topic, "limit",
                    String.valueOf(maxPayload)));
        }
        if (!c.signalBucket().take(nowNanos, props.rate(), props.burst())) {
            return refused("rate_limited", messages.error("Rate limited", "topic", topic));
        }
        Frame frame = messages.signal(topic, event, c.userId(), data);
        deliver(topic, frame, c);
        metrics.signal("sent");
        if (props.replicate() && sidecar.enabled()) {
            relay(topic, event, c.userId(), data);
        }
        return null;
    }

    private Frame refused(String reason, Frame reply) {
        metrics.signal("refused_" + reason);
        return reply;
    }

    private void deliver(String topic, Frame frame, ChannelSession except) {
        Delivery d = hub.publishToTopic(topic, frame, except);
        metrics.signalsDelivered(d.delivered());
    }

    private void relay(String topic, String event, String from, JsonNode data) {
        if (sidecar.inFlight() >= props.maxInFlight()) {
            metrics.signalDropped("sidecar_backlog");
            return;
        }
        ObjectNode m = json.createObjectNode();
        m.put("replica", self);
        m.put("topic", topic);
        m.put("event", event);
        m.put("from", from);
        if (data != null) {
            m.set("data", data);
        }
        // Fire and forget: a signal that cannot be relayed is dropped (counted), never retried.
        sidecar.publish(props.topic(), json.writeValueAsBytes(m), props.ttlInSeconds(), topic)
                .subscribe(v -> { }, e -> metrics.signalDropped("publish_failed"));
    }

    /** Another replica's signal from the sidecar: to this replica's subscribers of its topic. Ours are skipped. */
    public void receive(JsonNode m) {
        if (self.equals(m.path("replica").asString())) {
            return; // delivered locally when it was sent
        }
        String topic = m.required("topic").stringValue();
        Frame frame = messages.signal(topic, m.required("event").stringValue(), m.required("from").stringValue(),
                m.get("data"));
        deliver(topic, frame, null);
        metrics.signal("received");
    }
}
