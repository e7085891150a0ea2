package dev.tasksync.ops;

import dev.tasksync.fanout.Hub;
import dev.tasksync.presence.Presence;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The seeds' status endpoints. {@code /health} is public and cheap; {@code /stats} names
 * users, so it requires the admin role (see SecurityConfig). Kubernetes probes use
 * Actuator's liveness and readiness groups instead.
 */
@RestController
public class StatusController {

    private final Hub hub;
    private final Presence presence;

    public StatusController(Hub hub, Presence presence) {
        this.hub = hub;
        this.presence = presence;
    }

    @GetMapping("/health")
    public Map<String, Object> health() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "healthy");
        body.put("connections", hub.connectionCount());
        return body;
    }

    /** The service guide's shape: totals and connections per user. */
    @GetMapping("/stats")
    public Map<String, Object> stats() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("total_users", hub.userCount());
        body.put("total_connections", hub.connectionCount());
        body.put("total_topics", hub.topicCount());
        body.put("users", hub.connectionsPerUser());
        // Members per topic (all replicas, as last announced; the 100 largest) and the peers heard from.
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("replica", presence.self());
        p.put("members", presence.memberCount());
        p.put("topics", presence.membersPerTopic(100));
        p.put("peers", presence.peers());
        p.put("diffs_sent", presence.diffsSent());
        body.put("presence", p);
        return body;
    }
}
