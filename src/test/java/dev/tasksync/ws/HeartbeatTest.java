package dev.tasksync.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.support.RawWsClient;
import dev.tasksync.support.ServiceTest;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.WsClient;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

/** Server pings find dead peers: live clients answer and stay, silent ones are closed with 4002. */
@ServiceTest
@TestPropertySource(properties = {
        "tasksync.ws.ping-interval=200ms",
        "tasksync.ws.idle-timeout=3s",
        "tasksync.ws.heartbeat-tick=100ms"})
class HeartbeatTest {

    @LocalServerPort
    int port;

    private final String user = "heartbeat-" + UUID.randomUUID();

    @Test
    void livePeersAnswerPingsAndStay() {
        try (var ws = WsClient.connectAs(port, user)) {
            ws.expectNoMessage(Duration.ofMillis(4000)); // > idle timeout: pongs keep it open
            ws.send("{\"type\":\"ping\"}");
            assertThat(ws.next().path("type").asString()).isEqualTo("pong");
        }
    }

    @Test
    void deadPeerIsClosedAfterTheIdleTimeout() throws Exception {
        try (var raw = RawWsClient.connect(port, Tokens.forUser(user), 0)) {
            long start = System.nanoTime();
            assertThat(raw.readUntilClose()).isEqualTo(4002);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(2500),
                    Duration.ofSeconds(8));
        }
    }

}
