package dev.tasksync.ops;

import dev.tasksync.fanout.Hub;
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

    public StatusController(Hub hub) {
        this.hub = hub;
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
        return body;
    }
}
