package dev.tasksync.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.support.Tokens;
import dev.tasksync.support.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Actuator on its own port, as the Kubernetes overlays run it: the Prometheus scrape there needs
 * no token (the NetworkPolicy decides who reaches the port), everything else keeps its protection,
 * and the probes stay on the main port for the kubelet and daprd's app health check.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"tasksync.auth.secret=" + Tokens.SECRET, "management.server.port=0"})
class ManagementPortTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    int port;
    @LocalManagementPort
    int managementPort;

    @Test
    void prometheusScrapeOnTheManagementPortNeedsNoToken() throws Exception {
        assertThat(managementPort).isNotEqualTo(port);
        try (var ws = WsClient.connectAs(port, "scraped")) {
            HttpResponse<String> scrape = get(managementPort, "/actuator/prometheus", null);
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.body()).contains("tasksync_connections").contains("tasksync_deliveries_total");
        }
    }

    @Test
    void otherActuatorEndpointsOnTheManagementPortStillNeedAdmin() throws Exception {
        assertThat(get(managementPort, "/actuator/metrics", null).statusCode()).isEqualTo(401);
        assertThat(get(managementPort, "/actuator/metrics", Tokens.forUser("mallory")).statusCode()).isEqualTo(403);
        assertThat(get(managementPort, "/actuator/metrics", Tokens.admin("root")).statusCode()).isEqualTo(200);
    }

    @Test
    void theMainPortServesNoScrapeAndKeepsStatsAdminOnly() throws Exception {
        assertThat(get(port, "/actuator/prometheus", null).statusCode()).isEqualTo(401);
        assertThat(get(port, "/actuator/prometheus", Tokens.admin("root")).statusCode()).isEqualTo(404);
        assertThat(get(port, "/stats", null).statusCode()).isEqualTo(401);
        assertThat(get(port, "/stats", Tokens.forUser("mallory")).statusCode()).isEqualTo(403);
    }

    @Test
    void probesAreOnTheMainPortWithoutAToken() throws Exception {
        for (String path : new String[] {"/livez", "/readyz"}) {
            HttpResponse<String> probe = get(port, path, null);
            assertThat(probe.statusCode()).as(path).isEqualTo(200);
            assertThat(probe.body()).as(path).contains("UP");
        }
        assertThat(get(managementPort, "/actuator/health/readiness", null).statusCode()).isEqualTo(200);
    }

    private static HttpResponse<String> get(int port, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
