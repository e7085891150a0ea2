package dev.tasksync.ingress;

import static dev.tasksync.support.Deliveries.taskEvent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.support.ServiceTest;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.WsClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.json.JsonMapper;

/** A production-like configuration: app API token for the Dapr route, required issuer and audience. */
@ServiceTest
@TestPropertySource(properties = {
        "tasksync.dapr.app-api-token=" + SecuredDeploymentTest.APP_TOKEN,
        "tasksync.auth.issuer=https://auth.example.test",
        "tasksync.auth.audiences=tasksync"})
class SecuredDeploymentTest {

    static final String APP_TOKEN = "sidecar-token-for-tests";

    @LocalServerPort
    int port;
    @Autowired
    WebTestClient http;

    @Test
    void routeRejectsCallersWithoutTheSidecarToken() {
        byte[] event = ce(taskEvent("task.created", "alice", Map.of("id", 1)));
        post(event, null).expectStatus().isUnauthorized();
        post(event, "wrong-token").expectStatus().isUnauthorized();
        post(event, APP_TOKEN).expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("SUCCESS");
        http.get().uri("/dapr/subscribe").exchange().expectStatus().isUnauthorized();
        http.get().uri("/dapr/subscribe").header("dapr-api-token", APP_TOKEN).exchange().expectStatus().isOk();
        http.get().uri("/health").exchange().expectStatus().isOk();
    }

    @Test
    void issuerAndAudienceAreEnforced() {
        String good = Tokens.forUser("alice", c -> c.issuer("https://auth.example.test").audience(List.of("tasksync")));
        try (var ws = WsClient.connect(port, good)) {
            assertThat(ws.next().path("type").asString()).isEqualTo("connected");
        }
        assertUnauthorized(Tokens.forUser("alice", c -> c.issuer("https://evil.test").audience("tasksync")));
        assertUnauthorized(Tokens.forUser("alice", c -> c.issuer("https://auth.example.test").audience("other")));
        assertUnauthorized(Tokens.forUser("alice", c -> c.audience("tasksync")));
        assertUnauthorized(Tokens.forUser("alice", c -> c.issuer("https://auth.example.test")));
    }

    private void assertUnauthorized(String token) {
        try (var ws = WsClient.connect(port, token)) {
            assertThat(ws.awaitClose().getCode()).isEqualTo(4001);
        }
    }

    private WebTestClient.ResponseSpec post(byte[] body, String token) {
        return http.post().uri("/task-updates").contentType(MediaType.parseMediaType("application/cloudevents+json"))
                .headers(h -> {
                    if (token != null) {
                        h.set("dapr-api-token", token);
                    }
                })
                .bodyValue(body).exchange();
    }

    private static byte[] ce(Object data) {
        return JsonMapper.builder().build().writeValueAsBytes(Map.of("specversion", "1.0", "id", "sec-1",
                "source", "s", "type", "t", "data", data));
    }
}
