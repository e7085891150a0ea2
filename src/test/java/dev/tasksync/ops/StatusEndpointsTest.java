package dev.tasksync.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.support.ServiceTest;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.WsClient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.web.reactive.server.WebTestClient;

/** /health is public, /stats and non-health Actuator endpoints are admin-only, unknown paths are denied. */
@ServiceTest
class StatusEndpointsTest {

    @LocalServerPort
    int port;
    @Autowired
    WebTestClient http;

    @Test
    void healthIsPublicAndCountsConnections() {
        try (var ws = WsClient.connectAs(port, "healthy-user")) {
            http.get().uri("/health").exchange().expectStatus().isOk()
                    .expectBody()
                    .jsonPath("$.status").isEqualTo("healthy")
                    .jsonPath("$.connections").value(n -> assertThat(((Number) n).intValue()).isPositive());
        }
    }

    @Test
    void probesArePublic() {
        http.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
        http.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
    }

    @Test
    void statsRefusedWithoutAdminRights() {
        http.get().uri("/stats").exchange().expectStatus().isUnauthorized();
        http.get().uri("/stats").headers(h -> h.setBearerAuth(Tokens.wrongSignature("root")))
                .exchange().expectStatus().isUnauthorized();
        http.get().uri("/stats").headers(h -> h.setBearerAuth(Tokens.forUser("mallory")))
                .exchange().expectStatus().isForbidden();
    }

    @Test
    void statsForAdminsHasTheGuidesShape() {
        try (var a = WsClient.connectAs(port, "stats-a"); var b = WsClient.connectAs(port, "stats-a");
                var c = WsClient.connectAs(port, "stats-b")) {
            http.get().uri("/stats").headers(h -> h.setBearerAuth(Tokens.admin("root")))
                    .exchange().expectStatus().isOk()
                    .expectBody()
                    .jsonPath("$.users.stats-a").isEqualTo(2)
                    .jsonPath("$.users.stats-b").isEqualTo(1)
                    .jsonPath("$.total_users").value(n -> assertThat(((Number) n).intValue()).isGreaterThanOrEqualTo(2))
                    .jsonPath("$.total_connections")
                    .value(n -> assertThat(((Number) n).intValue()).isGreaterThanOrEqualTo(3));
        }
    }

    @Test
    void actuatorBeyondHealthNeedsAdmin() {
        http.get().uri("/actuator/metrics").exchange().expectStatus().isUnauthorized();
        http.get().uri("/actuator/metrics").headers(h -> h.setBearerAuth(Tokens.forUser("mallory")))
                .exchange().expectStatus().isForbidden();
        http.get().uri("/actuator/metrics/tasksync.connections").headers(h -> h.setBearerAuth(Tokens.admin("root")))
                .exchange().expectStatus().isOk();
    }

    @Test
    void prometheusScrapeIsAdminOnlyAndCarriesTheServiceMeters() {
        http.get().uri("/actuator/prometheus").exchange().expectStatus().isUnauthorized();
        byte[] body = http.get().uri("/actuator/prometheus").headers(h -> h.setBearerAuth(Tokens.admin("root")))
                .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody();
        assertThat(new String(body, java.nio.charset.StandardCharsets.UTF_8))
                .contains("tasksync_connections").contains("tasksync_deliveries_total");
    }

    @Test
    void unknownPathsAndActorCallbacksAreDenied() {
        http.get().uri("/nope").headers(h -> h.setBearerAuth(Tokens.admin("root")))
                .exchange().expectStatus().isForbidden();
        http.delete().uri("/actors/x/1").exchange().expectStatus().isUnauthorized();
        http.get().uri("/dev/token?user_id=alice").exchange().expectStatus().isNotFound();
    }
}
