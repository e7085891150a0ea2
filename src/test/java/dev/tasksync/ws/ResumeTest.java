package dev.tasksync.ws;

import static dev.tasksync.support.Deliveries.taskEvent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.support.Deliveries;
import dev.tasksync.support.ServiceTest;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.WsClient;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/** Reconnect with the last id seen: the missed events, in order, then live ones; no gap, no duplicate. */
@ServiceTest
class ResumeTest {

    @LocalServerPort
    int port;
    @Autowired
    WebTestClient http;

    private Deliveries dapr;
    private String user;

    @BeforeEach
    void setUp() {
        dapr = new Deliveries(http);
        user = "resume-" + UUID.randomUUID();
    }

    @Test
    void reconnectWithSinceReplaysMissedEventsThenLiveOnes() {
        String lastSeen;
        try (var ws = WsClient.connectAs(port, user)) {
            publish("e1");
            publish("e2");
            assertThat(ws.next().path("id").asString()).isEqualTo("e1-" + user);
            lastSeen = ws.next().path("id").asString();
        }
        publish("e3");
        publish("e4");
        try (var ws = connect("since=" + lastSeen)) {
            JsonNode hello = ws.next();
            assertThat(hello.path("type").asString()).isEqualTo("connected");
            assertThat(hello.path("resumed").asBoolean()).isTrue();
            assertThat(ws.next().path("id").asString()).isEqualTo("e3-" + user);
            assertThat(ws.next().path("id").asString()).isEqualTo("e4-" + user);
            publish("e5");
            assertThat(ws.next().path("id").asString()).isEqualTo("e5-" + user);
            ws.expectNoMessage(Duration.ofMillis(300));
        }
    }

    @Test
    void unknownSinceAsksTheClientToResync() {
        try (var ws = connect("since=no-such-event")) {
            JsonNode hello = ws.next();
            assertThat(hello.path("resumed").asBoolean(true)).isFalse();
            assertThat(ws.next().path("type").asString()).isEqualTo("resync_required");
        }
    }

    @Test
    void subscribingAgainToATopicJoinedAtConnectDoesNotAskForASecondResync() {
        String topic = "list:" + user;
        String first = "t0-" + user;
        dapr.publish(first, Map.of("topic", topic, "event", "ADDED", "data", Map.of()));
        for (int i = 1; i <= 101; i++) { // more than the topic's history keeps: t0 is evicted, its id still known
            dapr.publish("t" + i + "-" + user, Map.of("topic", topic, "event", "UPDATED", "data", Map.of()));
        }
        try (var ws = WsClient.open(URI.create("ws://127.0.0.1:" + port + "/ws?token=" + Tokens.withTopics(user, "list:*")
                + "&topics=" + topic + "&since=" + first), new HttpHeaders())) {
            assertThat(ws.next().path("resumed").asBoolean(true)).isFalse();
            assertThat(ws.next().path("type").asString()).isEqualTo("resync_required");
            subscribe(ws, topic); // e.g. a client adding presence to a topic it holds
            ws.expectNoMessage(Duration.ofMillis(300));
        }
    }

    @Test
    void redeliveredEventReachesClientsOnce() {
        try (var ws = WsClient.connectAs(port, user)) {
            String id = "dup-" + user;
            assertThat(dapr.publish(id, taskEvent("task.created", user, Map.of("id", 1)))).isEqualTo("SUCCESS");
            assertThat(dapr.publish(id, taskEvent("task.created", user, Map.of("id", 1)))).isEqualTo("SUCCESS");
            assertThat(ws.next().path("id").asString()).isEqualTo(id);
            ws.expectNoMessage(Duration.ofMillis(400));
        }
    }

    @Test
    void topicSubscriptionsOfAResumedConnectionReplayTheirGapToo() {
        String topic = "list:" + user;
        String token = Tokens.withTopics(user, "list:*");
        String lastSeen;
        try (var ws = WsClient.connect(port, token)) {
            ws.next();
            subscribe(ws, topic);
            dapr.publish("t1-" + user, Map.of("topic", topic, "event", "ADDED", "data", Map.of()));
            lastSeen = ws.next().path("id").asString();
        }
        dapr.publish("t2-" + user, Map.of("topic", topic, "event", "UPDATED", "data", Map.of()));
        try (var ws = WsClient.open(URI.create("ws://127.0.0.1:" + port + "/ws?token=" + token + "&since=" + lastSeen),
                new HttpHeaders())) {
            assertThat(ws.next().path("resumed").asBoolean()).isTrue();
            subscribe(ws, topic);
            JsonNode replayed = ws.next();
            assertThat(replayed.path("id").asString()).isEqualTo("t2-" + user);
            assertThat(replayed.path("event").asString()).isEqualTo("UPDATED");
        }
    }

    @Test
    void resumeMessageReplaysWhatWasMissedBeforeJoining() {
        String lastSeen;
        try (var ws = WsClient.connectAs(port, user)) {
            publish("r1");
            lastSeen = ws.next().path("id").asString();
        }
        publish("r2");
        try (var ws = WsClient.connectAs(port, user)) {
            ws.send("{\"type\":\"resume\",\"since\":\"" + lastSeen + "\"}");
            assertThat(ws.next().path("id").asString()).isEqualTo("r2-" + user);
            assertThat(ws.next().path("type").asString()).isEqualTo("resumed");
            ws.send("{\"type\":\"resume\",\"since\":\"unknown\"}");
            assertThat(ws.next().path("type").asString()).isEqualTo("resync_required");
        }
    }

    private WsClient connect(String query) {
        return WsClient.open(URI.create("ws://127.0.0.1:" + port + "/ws?token=" + Tokens.forUser(user) + "&" + query),
                new HttpHeaders());
    }

    private void publish(String name) {
        assertThat(dapr.publish(name + "-" + user, taskEvent("task.updated", user, Map.of("id", name))))
                .isEqualTo("SUCCESS");
    }

    private static void subscribe(WsClient ws, String topic) {
        ws.send("{\"action\":\"subscribe\",\"topic\":\"" + topic + "\"}");
        assertThat(ws.next().path("action").asString()).isEqualTo("subscribed");
    }
}
