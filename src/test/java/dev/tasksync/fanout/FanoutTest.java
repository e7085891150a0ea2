package dev.tasksync.fanout;

import static dev.tasksync.support.Deliveries.taskEvent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.support.Deliveries;
import dev.tasksync.support.ServiceTest;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/** Who gets what: a task event reaches every connection of its owner and nobody else; topic events reach subscribers. */
@ServiceTest
class FanoutTest {

    private static final Duration QUIET = Duration.ofMillis(400);

    @LocalServerPort
    int port;
    @Autowired
    WebTestClient http;
    @Autowired
    Hub hub;

    private Deliveries dapr;
    private final List<WsClient> open = new ArrayList<>();

    @BeforeEach
    void setUp() {
        dapr = new Deliveries(http);
    }

    @AfterEach
    void closeAll() {
        open.forEach(WsClient::close);
    }

    @Test
    void taskEventReachesEveryConnectionOfItsOwnerAndNoOneElse() {
        List<WsClient> alice = connect("alice", 3);
        List<WsClient> bob = connect("bob", 2);
        List<WsClient> carol = connect("carol", 1);

        assertThat(dapr.publish("evt-1", taskEvent("task.created", "alice",
                Map.of("id", 42, "title", "Buy milk", "status", "pending")))).isEqualTo("SUCCESS");

        for (WsClient ws : alice) {
            JsonNode m = ws.next();
            assertThat(m.path("type").asString()).isEqualTo("task_update");
            assertThat(m.path("event").asString()).isEqualTo("task.created");
            assertThat(m.path("task").path("title").asString()).isEqualTo("Buy milk");
            assertThat(m.path("task").path("id").asInt()).isEqualTo(42);
            assertThat(m.path("id").asString()).isEqualTo("evt-1");
            assertThat(m.path("timestamp").asString()).isNotBlank();
        }
        bob.forEach(ws -> ws.expectNoMessage(QUIET));
        carol.forEach(ws -> ws.expectNoMessage(Duration.ZERO));

        assertThat(dapr.publish(taskEvent("task.deleted", "bob", Map.of("id", 7)))).isEqualTo("SUCCESS");
        for (WsClient ws : bob) {
            assertThat(ws.next().path("event").asString()).isEqualTo("task.deleted");
        }
        alice.forEach(ws -> ws.expectNoMessage(QUIET));
        carol.forEach(ws -> ws.expectNoMessage(Duration.ZERO));
    }

    @Test
    void flatFormFromTheServiceGuideBecomesATask() {
        WsClient dave = connect("dave", 1).get(0);
        dapr.publish(Map.of("event_type", "task.updated", "user_id", "dave", "task_id", "456",
                "title", "New Task", "timestamp", "2026-02-07T12:00:00.000Z"));
        JsonNode m = dave.next();
        assertThat(m.path("event").asString()).isEqualTo("task.updated");
        assertThat(m.path("task").path("task_id").asString()).isEqualTo("456");
        assertThat(m.path("task").path("id").asString()).isEqualTo("456");
        assertThat(m.path("task").path("title").asString()).isEqualTo("New Task");
        assertThat(m.path("timestamp").asString()).isEqualTo("2026-02-07T12:00:00.000Z");
        assertThat(m.path("task").has("user_id")).isFalse();
    }

    @Test
    void integerUserIdsFromTheEndpointDocumentWork() {
        WsClient u = connect("789", 1).get(0);
        dapr.publish(Map.of("event_type", "task.completed", "user_id", 789, "task", Map.of("id", 1)));
        assertThat(u.next().path("event").asString()).isEqualTo("task.completed");
    }

    @Test
    void topicEventReachesExactlyTheSubscribers() {
        WsClient subscriber = connectWith(Tokens.withTopics("erin", "list:*"));
        WsClient other = connectWith(Tokens.withTopics("frank", "list:*"));
        WsClient leaver = connectWith(Tokens.withTopics("gina", "list:*"));
        subscribe(subscriber, "list:123");
        subscribe(leaver, "list:123");
        leaver.send("{\"action\":\"unsubscribe\",\"topic\":\"list:123\"}");
        assertThat(leaver.next().path("action").asString()).isEqualTo("unsubscribed");

        Map<String, Object> data = Map.of("entity_id", "456", "payload", Map.of("name", "Lego"), "user_id", "789",
                "timestamp", "2025-11-26T10:30:00Z");
        assertThat(dapr.publish("topic-evt-1", Map.of("topic", "list:123", "event", "ADDED", "data", data)))
                .isEqualTo("SUCCESS");

        JsonNode m = subscriber.next();
        assertThat(m.path("topic").asString()).isEqualTo("list:123");
        assertThat(m.path("event").asString()).isEqualTo("ADDED");
        assertThat(m.path("data").path("payload").path("name").asString()).isEqualTo("Lego");
        assertThat(m.path("id").asString()).isEqualTo("topic-evt-1");
        other.expectNoMessage(QUIET);
        leaver.expectNoMessage(Duration.ZERO);
    }

    @Test
    void closedConnectionsLeaveTheRegistry() throws InterruptedException {
        int before = hub.connectionCount();
        List<WsClient> henry = connect("henry", 2);
        assertThat(hub.connectionsPerUser()).containsEntry("henry", 2);
        henry.forEach(WsClient::close);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (hub.connectionsPerUser().containsKey("henry") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(hub.connectionsPerUser()).doesNotContainKey("henry");
        assertThat(hub.connectionCount()).isEqualTo(before);
    }

    private List<WsClient> connect(String user, int n) {
        List<WsClient> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(connectWith(Tokens.forUser(user)));
        }
        return out;
    }

    private WsClient connectWith(String token) {
        WsClient ws = WsClient.connect(port, token);
        open.add(ws);
        assertThat(ws.next().path("type").asString()).isEqualTo("connected");
        return ws;
    }

    private static void subscribe(WsClient ws, String topic) {
        ws.send("{\"action\":\"subscribe\",\"topic\":\"" + topic + "\"}");
        assertThat(ws.next().path("action").asString()).isEqualTo("subscribed");
    }
}
