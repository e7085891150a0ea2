package dev.tasksync.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.fanout.Hub;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.WsClient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The start-up warm-up runs real loopback traffic end to end before the context is ready, and leaves nothing behind. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tasksync.auth.secret=" + Tokens.SECRET, "tasksync.warmup.enabled=true", "tasksync.warmup.connections=20",
        "tasksync.warmup.handshake-rounds=3", "tasksync.warmup.events=500", "tasksync.dapr.app-api-token=warm-token"})
class WarmupTest {

    @Autowired
    Warmup warmup;
    @Autowired
    Hub hub;
    @LocalServerPort
    int port;

    @Test
    void everyHandshakeAndDeliveryOfTheWarmupArrivedBeforeTheContextWasReady() {
        var r = warmup.result();
        assertThat(r).as("warm-up finished before the application runners returned").isNotNull();
        assertThat(r.handshakes()).isEqualTo(60);
        // One greeting per connection of the first round, then every event to its owner's connection;
        // the app API token is configured, so the warm-up's own deliveries had to carry it.
        assertThat(r.framesReceived()).isEqualTo(20 + 500);
        assertThat(hub.connectionCount()).as("warm-up connections are closed").isZero();
        try (var ws = WsClient.connectAs(port, "alice")) { // greeted, as after any start
            ws.send("{\"type\":\"ping\"}");
            assertThat(ws.next().path("type").asString()).isEqualTo("pong");
        }
    }
}
