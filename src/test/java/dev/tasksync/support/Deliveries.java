package dev.tasksync.support;

import java.util.Map;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Posts to the Dapr route the way daprd does: CloudEvents with {@code application/cloudevents+json}. */
public final class Deliveries {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final WebTestClient http;

    public Deliveries(WebTestClient http) {
        this.http = http;
    }

    /** Wraps {@code data} in a CloudEvent and returns Dapr's reply status. */
    public String publish(Object data) {
        return publish(UUID.randomUUID().toString(), data);
    }

    public String publish(String id, Object data) {
        return publish(id, Map.of(), data);
    }

    /** A CloudEvent with extra envelope attributes ({@code time}, {@code traceparent}, …). */
    public String publish(String id, Map<String, Object> attributes, Object data) {
        Map<String, Object> ce = new java.util.LinkedHashMap<>(Map.of("specversion", "1.0", "id", id,
                "source", "task-backend", "type", "com.dapr.event.sent", "datacontenttype", "application/json",
                "topic", "task-updates", "pubsubname", "taskpubsub", "data", data));
        ce.putAll(attributes);
        return post(JSON.writeValueAsBytes(ce), MediaType.parseMediaType("application/cloudevents+json"));
    }

    /** Raw body with any content type; returns the {@code status} of Dapr's reply. */
    public String post(byte[] body, MediaType contentType) {
        byte[] reply = http.post().uri("/task-updates").contentType(contentType).bodyValue(body)
                .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody();
        JsonNode node = JSON.readTree(reply);
        return node.path("status").asString();
    }

    public static Map<String, Object> taskEvent(String eventType, String userId, Map<String, Object> task) {
        return Map.of("event_type", eventType, "user_id", userId, "task", task);
    }
}
