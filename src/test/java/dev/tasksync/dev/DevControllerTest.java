package dev.tasksync.dev;

import static dev.tasksync.support.Deliveries.taskEvent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.support.Deliveries;
import dev.tasksync.support.ServiceTest;
import dev.tasksync.support.WsClient;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Dev mode: minted tokens work on /ws, /dev/publish goes through the route, /dev/history shows what is held. */
@ServiceTest
@TestPropertySource(properties = "tasksync.dev.enabled=true")
class DevControllerTest {

    @LocalServerPort
    int port;
    @Autowired
    WebTestClient http;

    @Test
    void mintedTokenConnectsAndPublishedTasksAreDeliveredAndListed() {
        String user = "dev-" + UUID.randomUUID();
        byte[] body = http.get().uri("/dev/token?user_id=" + user).exchange().expectStatus().isOk()
                .expectBody().returnResult().getResponseBody();
        String token = JsonMapper.builder().build().readTree(body).path("token").asString();
        try (var ws = WsClient.connect(port, token)) {
            assertThat(ws.next().path("user_id").asString()).isEqualTo(user);
            http.post().uri("/dev/publish").contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("event_type", "task.created", "user_id", user, "task", Map.of("id", "d1")))
                    .exchange().expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("SUCCESS");
            assertThat(ws.next().path("task").path("id").asString()).isEqualTo("d1");
        }
        new Deliveries(http).publish(taskEvent("task.updated", user, Map.of("id", "d1", "title", "renamed")));
        byte[] history = http.get().uri("/dev/history?user_id=" + user).exchange().expectStatus().isOk()
                .expectBody().returnResult().getResponseBody();
        JsonNode events = JsonMapper.builder().build().readTree(history);
        assertThat(events.size()).isEqualTo(2);
        assertThat(events.get(0).path("event").asString()).isEqualTo("task.created");
        assertThat(events.get(1).path("task").path("title").asString()).isEqualTo("renamed");
    }
}
