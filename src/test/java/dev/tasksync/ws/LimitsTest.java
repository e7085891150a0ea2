package dev.tasksync.ws;

import static dev.tasksync.support.Deliveries.taskEvent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.support.Deliveries;
import dev.tasksync.support.RawWsClient;
import dev.tasksync.support.ServiceTest;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.WsClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/** Every limit, with the close code or error the protocol document promises. */
@ServiceTest
@TestPropertySource(properties = {
        "tasksync.ws.max-connections-per-user=2",
        "tasksync.ws.max-subscriptions=2",
        "tasksync.ws.message-rate=5",
        "tasksync.ws.message-burst=5",
        "tasksync.ws.outbound-queue=8",
        "tasksync.ws.allowed-origins=https://app.example.test," + WsClient.DEFAULT_ORIGIN,
        "tasksync.ws.heartbeat-tick=100ms"})
class LimitsTest {

    @LocalServerPort
    int port;
    @Autowired
    WebTestClient http;
    @Autowired
    MeterRegistry registry;

    private final String user = "limits-" + UUID.randomUUID();

    @Test
    void connectionsPerUserAreCapped() {
        try (var a = WsClient.connectAs(port, user); var b = WsClient.connectAs(port, user);
                var c = WsClient.connect(port, Tokens.forUser(user))) {
            assertThat(c.awaitClose().getCode()).isEqualTo(4029);
            a.send("{\"type\":\"ping\"}");
            assertThat(a.next().path("type").asString()).isEqualTo("pong");
        }
    }

    @Test
    void subscriptionsPerConnectionAreCapped() {
        try (var ws = WsClient.connect(port, Tokens.withTopics(user, "list:*"))) {
            ws.next();
            for (String t : new String[] {"list:1", "list:2"}) {
                ws.send("{\"action\":\"subscribe\",\"topic\":\"" + t + "\"}");
                assertThat(ws.next().path("action").asString()).isEqualTo("subscribed");
            }
            ws.send("{\"action\":\"subscribe\",\"topic\":\"list:3\"}");
            JsonNode reply = ws.next();
            assertThat(reply.path("error").asString()).isEqualTo("Too many subscriptions");
            assertThat(reply.path("limit").asString()).isEqualTo("2");
        }
    }

    @Test
    void messageFloodClosesTheConnection() {
        try (var ws = WsClient.connectAs(port, user)) {
            for (int i = 0; i < 30; i++) {
                ws.send("{\"type\":\"ping\"}");
            }
            var status = ws.awaitClose();
            assertThat(status.getCode()).isEqualTo(4029);
            assertThat(status.getReason()).isEqualTo("Rate limit exceeded");
        }
    }

    @Test
    void foreignOriginsAreRefused() {
        var evil = new HttpHeaders();
        evil.setOrigin("https://evil.test");
        try (var ws = WsClient.open(URI.create("ws://127.0.0.1:" + port + "/ws?token=" + Tokens.forUser(user)), evil)) {
            var status = ws.awaitClose();
            assertThat(status.getCode()).isEqualTo(4003);
            assertThat(status.getReason()).isEqualTo("Origin not allowed");
        }
        var app = new HttpHeaders();
        app.setOrigin("https://app.example.test");
        try (var ws = WsClient.open(URI.create("ws://127.0.0.1:" + port + "/ws?token=" + Tokens.forUser(user)), app)) {
            assertThat(ws.next().path("type").asString()).isEqualTo("connected");
        }
    }

    @Test
    void expiredTokenClosesTheConnectionUnlessRefreshed() {
        var soon = Date.from(Instant.now().plusSeconds(4));
        try (var expiring = WsClient.connect(port, Tokens.forUser(user, c -> c.expirationTime(soon)));
                var refreshed = WsClient.connect(port, Tokens.forUser(user, c -> c.expirationTime(soon)))) {
            expiring.next();
            refreshed.next();
            refreshed.send("{\"type\":\"auth\",\"token\":\"" + Tokens.forUser(user) + "\"}");
            JsonNode ok = refreshed.next();
            assertThat(ok.path("type").asString()).isEqualTo("authenticated");
            refreshed.send("{\"type\":\"auth\",\"token\":\"" + Tokens.forUser("someone-else") + "\"}");
            assertThat(refreshed.next().path("error").asString()).isEqualTo("Forbidden");

            var status = expiring.awaitClose();
            assertThat(status.getCode()).isEqualTo(4001);
            refreshed.send("{\"type\":\"ping\"}");
            assertThat(refreshed.next().path("type").asString()).as("refreshed connection outlives the first token")
                    .isEqualTo("pong");
        }
    }

    @Test
    void slowConsumerIsClosedAndCountedWithoutDelayingOthers() throws Exception {
        var dapr = new Deliveries(http);
        String slowUser = user + "-slow";
        double before = slowConsumerDisconnects();
        try (var slow = RawWsClient.connect(port, Tokens.forUser(slowUser), 4096);
                var bystander = WsClient.connectAs(port, user)) {
            String pad = "x".repeat(32 * 1024);
            for (int i = 0; i < 1000 && slowConsumerDisconnects() == before; i++) {
                dapr.publish(taskEvent("task.updated", slowUser, Map.of("id", i, "pad", pad)));
            }
            assertThat(slowConsumerDisconnects()).isGreaterThan(before);
            assertThat(registry.counter("tasksync.drops", "reason", "not_accepted").count()).isPositive();

            long t0 = System.nanoTime();
            dapr.publish(taskEvent("task.created", user, Map.of("id", "fast")));
            assertThat(bystander.next().path("task").path("id").asString()).isEqualTo("fast");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
            // protocol.md: the slow consumer is told why (4008) once it reads again; the close frame
            // is queued after the frames it had not read, so a connection cut without it is a failure.
            assertThat(slow.readUntilClose()).as("close code the slow consumer reads after its backlog").isEqualTo(4008);
        }
    }

    private double slowConsumerDisconnects() {
        var c = registry.find("tasksync.disconnects").tag("reason", "Slow consumer").counter();
        return c == null ? 0 : c.count();
    }
}
