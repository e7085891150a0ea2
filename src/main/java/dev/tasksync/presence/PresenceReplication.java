package dev.tasksync.presence;

import dev.tasksync.presence.Presence.Entry;
import dev.tasksync.presence.Presence.Key;
import dev.tasksync.replication.SidecarPublisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs presence on two threads of its own. The {@code presence} thread, every publish interval,
 * takes this replica's subscription changes into the merged view and drops replicas that stopped
 * heartbeating; every diff interval it sends the topics' diffs. The {@code presence-publish} thread
 * publishes the changes as one batch per interval (a {@code delta}, absolute counts) and, every
 * heartbeat interval, this replica's whole state (a {@code snapshot}, in parts of at most {@link
 * #PART} entries), which is also its heartbeat. Publishing waits for the sidecar; on its own thread
 * a hung sidecar delays only what the other replicas learn, never this replica's diffs. Changes
 * not yet published wait in an outbox that keeps the newest count per user and topic, so it is
 * bounded by this replica's subscriptions. A graceful stop publishes {@code bye}, so the others let
 * this replica's users go at once.
 *
 * <p>Every message carries the replica's incarnation id, a sequence number (consecutive per
 * incarnation; the others detect a gap and heal it from the next snapshot) and its send time. They
 * go out one at a time, in order, with the incarnation as Kafka partition key, and the replica
 * timeout as Dapr message TTL: a replica that starts with an old backlog skips what expired.
 */
public final class PresenceReplication implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PresenceReplication.class);
    /** Entries per message: a snapshot of many subscriptions goes in parts well under Kafka's 1 MB. */
    static final int PART = 500;
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(5);

    private final Presence presence;
    private final SidecarPublisher sidecar;
    private final PresenceProperties props;
    private final JsonMapper json;
    private final String ttl;
    private final ScheduledExecutorService ticker = daemon("presence");
    private final ScheduledExecutorService publisher = daemon("presence-publish");
    /** Changes drained into the merged view and not yet published: the newest entry per key. */
    private final ConcurrentHashMap<Key, Entry> outbox = new ConcurrentHashMap<>();
    // Publish thread only.
    private long seq;
    private long lastSnapshotNanos;

    public PresenceReplication(Presence presence, SidecarPublisher sidecar, PresenceProperties props, JsonMapper json) {
        this.presence = presence;
        this.sidecar = sidecar;
        this.props = props;
        this.json = json;
        this.ttl = String.valueOf(Math.max(1, props.replicaTimeout().toSeconds()));
    }

    /** Whether this replica shares presence with the others (a sidecar is configured and replication is on). */
    public boolean replicating() {
        return props.replicate() && sidecar.enabled();
    }

    private static ScheduledExecutorService daemon(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the presence threads. */
    public void start() {
        long publish = props.publishInterval().toNanos();
        ticker.scheduleWithFixedDelay(() -> run(this::drainTick), 0, publish, TimeUnit.NANOSECONDS);
        ticker.scheduleWithFixedDelay(() -> run(presence::flush), props.diffInterval().toNanos(),
                props.diffInterval().toNanos(), TimeUnit.NANOSECONDS);
        if (replicating()) {
            publisher.scheduleWithFixedDelay(() -> run(this::publishTick), publish / 2, publish, TimeUnit.NANOSECONDS);
        }
    }

    private static void run(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.error("presence task failed", e);
        }
    }

    /** One publish interval's local work (on the presence thread). */
    void drainTick() {
        List<Entry> changed = presence.drainLocal();
        if (replicating()) {
            changed.forEach(e -> outbox.put(e.key(), e));
        }
        presence.expireReplicas();
    }

    /** One publish interval's publishing (on the publish thread): the outbox, then the snapshot when due. */
    void publishTick() {
        List<Entry> changed = new ArrayList<>(outbox.size());
        for (Key key : outbox.keySet()) {
            Entry e = outbox.remove(key);
            if (e != null) {
                changed.add(e);
            }
        }
        for (int from = 0; from < changed.size(); from += PART) {
            var part = changed.subList(from, Math.min(changed.size(), from + PART));
            if (!send(message("delta", part))) {
                // Back into the outbox unless a newer count for the key came meanwhile.
                changed.subList(from, changed.size()).forEach(e -> outbox.putIfAbsent(e.key(), e));
                return; // the sidecar is failing: the snapshot waits for the next tick too
            }
        }
        long now = System.nanoTime();
        if (lastSnapshotNanos == 0 || now - lastSnapshotNanos >= props.heartbeatInterval().toNanos()) {
            lastSnapshotNanos = now;
            sendSnapshot();
        }
    }

    private void sendSnapshot() {
        List<Entry> all = presence.localSnapshot();
        int parts = Math.max(1, (all.size() + PART - 1) / PART);
        long id = seq;
        for (int part = 0; part < parts; part++) {
            ObjectNode m = message("snapshot", all.subList(part * PART, Math.min(all.size(), (part + 1) * PART)));
            m.put("snapshot", id);
            m.put("part", part);
            m.put("parts", parts);
            if (!send(m)) {
                return; // the others wait for the next complete snapshot
            }
        }
    }

    private ObjectNode message(String kind, List<Entry> entries) {
        ObjectNode m = json.createObjectNode();
        m.put("replica", presence.self());
        m.put("seq", seq);
        m.put("sent", System.currentTimeMillis());
        m.put("kind", kind);
        if (entries != null) {
            ArrayNode list = m.putArray("entries");
            for (Entry e : entries) {
                ObjectNode o = list.addObject();
                o.put("t", e.key().topic());
                o.put("u", e.key().user());
                o.put("n", e.count());
                if (e.count() > 0 && e.info() != null && !e.info().isEmpty()) {
                    ObjectNode info = o.putObject("i");
                    e.info().forEach(info::put);
                }
            }
        }
        return m;
    }

    /** Publishes one message, waiting for the sidecar (on the publish thread), so messages stay in order. */
    private boolean send(ObjectNode message) {
        try {
            sidecar.publish(props.topic(), json.writeValueAsBytes(message), ttl, presence.self())
                    .block(PUBLISH_TIMEOUT);
            seq++;
            return true;
        } catch (RuntimeException e) {
            return false; // logged (rate-limited) by the publisher; the next tick tries again
        }
    }

    /** A presence message from the sidecar (any replica's, this one's own included). */
    public void receive(JsonNode m) {
        String replica = m.required("replica").stringValue();
        long seqNo = m.required("seq").longValue();
        long sent = m.required("sent").longValue();
        switch (m.required("kind").stringValue()) {
            case "delta" -> presence.delta(replica, seqNo, sent, entries(m));
            case "snapshot" -> presence.snapshot(replica, seqNo, sent, m.required("snapshot").longValue(),
                    m.required("part").intValue(), m.required("parts").intValue(), entries(m));
            case "bye" -> presence.bye(replica, seqNo, sent);
            default -> {
                // A kind of a newer version: only its liveness counts.
                presence.delta(replica, seqNo, sent, List.of());
            }
        }
    }

    private static List<Entry> entries(JsonNode m) {
        JsonNode list = m.path("entries");
        List<Entry> out = new ArrayList<>(list.size());
        for (JsonNode e : list) {
            Map<String, String> info = null;
            JsonNode i = e.get("i");
            if (i != null && i.isObject()) {
                info = new LinkedHashMap<>();
                for (var f : i.properties()) {
                    info.put(f.getKey(), f.getValue().asString());
                }
            }
            out.add(new Entry(new Key(e.required("t").stringValue(), e.required("u").stringValue()),
                    e.required("n").intValue(), info));
        }
        return out;
    }

    /** Stops the presence threads; when replicating, tells the others this replica's users are gone. */
    @Override
    public void close() {
        ticker.shutdown();
        publisher.shutdown();
        try {
            publisher.awaitTermination(PUBLISH_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (replicating()) {
            send(message("bye", null));
        }
    }
}
