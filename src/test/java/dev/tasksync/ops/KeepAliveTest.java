package dev.tasksync.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.support.ServiceTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * daprd (and probes, and load balancers) reuse keep-alive connections: every request on a
 * reused connection must be answered. Reactor Netty 1.3.7 left some unanswered, which
 * stalled daprd's subscription discovery after a health probe on the same connection.
 */
@ServiceTest
class KeepAliveTest {

    @LocalServerPort
    int port;

    @Test
    void everyRequestOnAReusedConnectionIsAnswered() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String[] paths = {"/actuator/health/readiness", "/dapr/subscribe", "/health", "/stats"};
        for (int i = 0; i < 1200; i++) {
            String path = paths[i % paths.length];
            var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("request %d %s", i, path).isIn(200, 401);
        }
    }
}
