package dev.tasksync.signal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.support.Deliveries;
import dev.tasksync.support.RawWsClient;
import dev.tasksync.support.Waits;
import dev.tasksync.support.ServiceTest;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.WsClient;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/** Client signals on one replica, through real WebSockets: who gets them, and every refusal. */
@ServiceTest
@TestPropertySource(properties = "tasksync.ws.max-pending-bytes=64MB")
class SignalsTest {

    @LocalServerPort
    int port;
    @Autowired
    WebTestClient http;
    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    private String topic;

    @BeforeEach
    void setUp() {
        topic = "list:" + UUID.randomUUID();
    }

    @Test
    void aSignalReachesTheOtherSubscribersButNotItsSender() {
        try (var alice = subscribed("alice"); var bob = subscribed("bob"); var carol = subscribed("carol");
                var dave = connect("dave")) {
            alice.send(signal("typing", "{\"editing\":\"task-42\"}"));
            for (WsClient other : List.of(bob, carol)) {
                JsonNode s = other.next();
                assertThat(s.path("type").asString()).isEqualTo("signal");
                assertThat(s.path("topic").asString()).isEqualTo(topic);
                assertThat(s.path("event").asString()).isEqualTo("typing");
                assertThat(s.path("from").asString()).isEqualTo("alice-" + topic);
                assertThat(s.path("data").path("editing").asString()).isEqualTo("task-42");
            }
            alice.expectNoMessage(Duration.ofMillis(300));
            dave.expectNoMessage(Duration.ofMillis(100)); // not subscribed
        }
    }

    @Test
    void refusalsAreClearAndKeepTheConnectionOpen() {
        try (var alice = subscribed("alice"); var bob = subscribed("bob")) {
            alice.send(signal("shouting", "{}"));
            assertThat(alice.next().path("error").asString()).isEqualTo("Unknown signal");
            alice.send("{\"action\":\"signal\",\"topic\":\"list:elsewhere\",\"event\":\"typing\"}");
            JsonNode forbidden = alice.next();
            assertThat(forbidden.path("error").asString()).isEqualTo("Forbidden");
            assertThat(forbidden.path("topic").asString()).isEqualTo("list:elsewhere");
            alice.send(signal("typing", "{\"text\":\"" + "x".repeat(1100) + "\"}"));
            assertThat(alice.next().path("error").asString()).isEqualTo("Payload too large");
            bob.expectNoMessage(Duration.ofMillis(300));
            alice.send("{\"type\":\"ping\"}");
            assertThat(alice.next().path("type").asString()).isEqualTo("pong");
        }
    }

    @Test
    void beyondTheRateLimitSignalsAreRefused() {
        try (var alice = subscribed("alice"); var bob = subscribed("bob")) {
            for (int i = 0; i < 15; i++) {
                alice.send(signal("typing", "{\"n\":" + i + "}"));
            }
            // The burst (10) goes through; the rest are refused (5/s refills too slowly for 15 at once).
            int delivered = 0;
            while (bob.nextText(Duration.ofMillis(500)) != null) {
                delivered++;
            }
            int limited = 0;
            String reply;
            while ((reply = alice.nextText(Duration.ofMillis(300))) != null) {
                assertThat(reply).contains("Rate limited");
                limited++;
            }
            assertThat(delivered).isBetween(10, 11);
            assertThat(limited).isEqualTo(15 - delivered);
        }
    }

    @Test
    void signalsAreNeverReplayedOnResume() {
        var dapr = new Deliveries(http);
        String bobId = "bob-" + topic;
        try (var alice = subscribed("alice")) {
            String last;
            try (var bob = subscribed("bob")) {
                dapr.publish("before-" + topic, Map.of("topic", topic, "event", "ADDED", "data", Map.of("n", 1)));
                assertThat(alice.next().path("event").asString()).isEqualTo("ADDED");
                last = bob.next().path("id").asString();
            }
            alice.send(signal("typing", "{}"));
            dapr.publish("after-" + topic, Map.of("topic", topic, "event", "ADDED", "data", Map.of("n", 2)));
            URI resume = URI.create("ws://127.0.0.1:" + port + "/ws?token=" + token(bobId) + "&since=" + last
                    + "&topics=" + topic);
            try (var bob = WsClient.open(resume, new HttpHeaders())) {
                assertThat(bob.next().path("resumed").asBoolean()).isTrue();
                JsonNode missed = bob.next();
                assertThat(missed.path("id").asString()).isEqualTo("after-" + topic);
                bob.expectNoMessage(Duration.ofMillis(500));
            }
        }
    }

    @Test
    void aBackedUpConnectionDropsSignalsButKeepsEveryEvent() throws Exception {
        var dapr = new Deliveries(http);
        String big = "x".repeat(16 * 1024);
        try (var alice = subscribed("alice");
                var slow = RawWsClient.connect(port, token("slow-" + topic), 4096)) {
            slow.sendText("{\"action\":\"subscribe\",\"topic\":\"" + topic + "\"}");
            assertThat(slow.readText()).contains("connected");
            assertThat(slow.readText()).contains("subscribed");
            // The slow client reads nothing: 300 events of 16 KB fill the kernel's buffers and back
            // up in its channel (the test raises the byte bound so that it is not closed meanwhile).
            for (int i = 0; i < 300; i++) {
                dapr.publish("bp-" + i + "-" + topic, Map.of("topic", topic, "event", "ADDED", "data", Map.of("big", big)));
            }
            double droppedBefore = droppedSignals();
            alice.send(signal("typing", "{}"));
            Waits.until(() -> droppedSignals() > droppedBefore, Duration.ofSeconds(10));
            dapr.publish("bp-last-" + topic, Map.of("topic", topic, "event", "ADDED", "data", Map.of("n", 1)));
            int events = 0;
            String m;
            while (events < 301 && (m = slow.readText()) != null) {
                assertThat(m).doesNotContain("\"type\":\"signal\"");
                events++;
            }
            assertThat(events).isEqualTo(301);
        }
    }

    private double droppedSignals() {
        var c = meters.find("tasksync.signals.dropped").tag("reason", "backpressure").counter();
        return c == null ? 0 : c.count();
    }

    private String signal(String event, String data) {
        return "{\"action\":\"signal\",\"topic\":\"" + topic + "\",\"event\":\"" + event + "\",\"data\":" + data + "}";
    }

    private String token(String user) {
        return Tokens.withTopics(user, "list:*");
    }

    private WsClient connect(String name) {
        WsClient c = WsClient.connect(port, token(name + "-" + topic));
        assertThat(c.next().path("type").asString()).isEqualTo("connected");
        return c;
    }

    private WsClient subscribed(String name) {
        WsClient c = connect(name);
        c.send("{\"action\":\"subscribe\",\"topic\":\"" + topic + "\"}");
        assertThat(c.next().path("action").asString()).isEqualTo("subscribed");
        return c;
    }
}
