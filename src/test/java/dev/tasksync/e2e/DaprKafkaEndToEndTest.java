package dev.tasksync.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.e2e.support.Daprd;
import dev.tasksync.e2e.support.DaprdBinary;
import dev.tasksync.e2e.support.KafkaBroker;
import dev.tasksync.support.TasksyncInstance;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.Waits;
import dev.tasksync.support.WsClient;
import io.dapr.client.DaprClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * The real path, end to end: the backend publishes with the Dapr Java SDK through its own
 * daprd, Kafka carries it, tasksync's daprd discovers /dapr/subscribe and delivers to the
 * real application, which pushes to real WebSocket clients. Components come from components/.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DaprKafkaEndToEndTest {

    private static final Duration DELIVERY = Duration.ofSeconds(60);
    private static final String SUBSCRIBED = "app is subscribed to the following topics";
    private static final Duration SIDECAR_READY = Duration.ofSeconds(90);
    private static final String PUBSUB = "taskpubsub";
    private static final String TOPIC = "task-updates";
    private static final String HEALTH = "/actuator/health/readiness";
    // The bulk test's own topic: its burst must not reach the other tests' sidecars.
    private static final String BULK_TOPIC = "task-updates-bulk";

    private KafkaBroker kafka;
    private Daprd backend;
    private DaprClient publisher;
    private TasksyncInstance app;
    private Daprd sidecar;

    @BeforeAll
    void startStack() {
        DaprdBinary.path(); // first run on a machine compiles daprd (minutes), outside the test timeouts
        kafka = KafkaBroker.start();
        kafka.createTopics(TOPIC, "task-updates-dlq", BULK_TOPIC, BULK_TOPIC + "-dlq");
        backend = Daprd.builder("task-backend").kafka(kafka.bootstrapServers()).podName("backend-0").start();
        publisher = backend.newClient();
        app = TasksyncInstance.start(Tokens.SECRET);
        sidecar = Daprd.builder("tasksync").appPort(app.port()).kafka(kafka.bootstrapServers()).podName("e2e-0")
                .logLevel(System.getProperty("e2e.daprd.log-level", "info")).appHealthCheck(HEALTH).start()
                .awaitHealthy(SIDECAR_READY);
        awaitLogCount(sidecar, SUBSCRIBED, 1);
    }

    @AfterAll
    void stopStack() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {sidecar, app, publisher, backend, kafka}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void publishedTaskReachesEveryConnectionOfItsOwnerAndNoOneElse() {
        String alice = user("alice");
        String bob = user("bob");
        try (var a1 = WsClient.connectAs(app.port(), alice); var a2 = WsClient.connectAs(app.port(), alice);
                var b1 = WsClient.connectAs(app.port(), bob)) {
            publish(Map.of("event_type", "task.created", "user_id", alice,
                    "task", Map.of("id", "t-1", "title", "Through Kafka", "status", "pending")));

            for (WsClient ws : List.of(a1, a2)) {
                JsonNode m = ws.next(DELIVERY);
                assertThat(m.path("type").asString()).isEqualTo("task_update");
                assertThat(m.path("event").asString()).isEqualTo("task.created");
                assertThat(m.path("task").path("title").asString()).isEqualTo("Through Kafka");
                assertThat(m.path("id").asString()).as("CloudEvent id from Dapr").isNotBlank();
            }
            b1.expectNoMessage(Duration.ofSeconds(1));
        }
    }

    @Test
    void topicEventReachesSubscribersThroughDapr() {
        String erin = user("erin");
        try (var ws = WsClient.connect(app.port(), Tokens.withTopics(erin, "list:*"))) {
            assertThat(ws.next().path("type").asString()).isEqualTo("connected");
            ws.send("{\"action\":\"subscribe\",\"topic\":\"list:e2e\"}");
            assertThat(ws.next().path("action").asString()).isEqualTo("subscribed");
            publish(Map.of("topic", "list:e2e", "event", "ADDED", "data", Map.of("entity_id", "1")));
            JsonNode m = ws.next(DELIVERY);
            assertThat(m.path("topic").asString()).isEqualTo("list:e2e");
            assertThat(m.path("event").asString()).isEqualTo("ADDED");
        }
    }

    @Test
    void malformedEventEndsOnTheDeadLetterTopic() {
        String marker = UUID.randomUUID().toString();
        // No user_id: tasksync answers DROP and daprd moves the message to task-updates-dlq.
        publish(Map.of("event_type", "task.created", "task", Map.of("id", "x"), "marker", marker));
        List<String> deadLetters = kafka.readValues("task-updates-dlq", 1, DELIVERY);
        assertThat(deadLetters).anySatisfy(v -> assertThat(v).contains(marker));
    }

    @Test
    void eventsPublishedWhileTheServiceIsDownArriveAfterItRestarts() {
        String carol = user("carol");
        // The app stops; its sidecar's health probe sees it and pauses consumption, so nothing
        // is delivered to a dead app (which would end on the dead-letter topic).
        app.stop();
        Waits.until(sidecar::appReportedUnhealthy, SIDECAR_READY);
        for (int i = 1; i <= 5; i++) {
            publish(Map.of("event_type", "task.updated", "user_id", carol, "task", Map.of("id", "c-" + i)));
        }
        // Recovery: daprd resumes consumption once the restarted app reports ready. Carol's client
        // connects before that (server listening, readiness not yet reported), so every one of her
        // events must reach it live, in order.
        WsClient[] client = new WsClient[1];
        try {
            app.restart(port -> {
                client[0] = WsClient.connectAs(port, carol);
            });
            WsClient ws = client[0];
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ids.add(ws.next(DELIVERY).path("task").path("id").asString());
            }
            assertThat(ids).as("carol's events at her WebSocket after the restart").containsExactly("c-1", "c-2", "c-3", "c-4", "c-5");
            ws.expectNoMessage(Duration.ofSeconds(1));
        } finally {
            if (client[0] != null) {
                client[0].close();
            }
        }
        // Nothing of carol's was dead-lettered: a malformed event published now is DROPped and
        // dead-lettered after anything of hers would have been (one partition, consumed in
        // order), so the dead-letter topic is read up to that marker.
        String marker = "dlq-marker-" + UUID.randomUUID();
        publish(Map.of("event_type", "task.created", "task", Map.of("id", "x"), "marker", marker));
        assertThat(kafka.readValuesUntil("task-updates-dlq", marker, DELIVERY))
                .as("dead letters before the marker").noneSatisfy(v -> assertThat(v).contains(carol));
    }

    @Test
    void podRestartLosesNothingForConnectedClients() {
        String dave = user("dave");
        int subscribed = sidecar.countLog(SUBSCRIBED);
        sidecar.stop();
        app.stop();
        for (int i = 1; i <= 5; i++) {
            publish(Map.of("event_type", "task.updated", "user_id", dave, "task", Map.of("id", "d-" + i)));
        }
        app.restart();
        try (var ws = WsClient.connectAs(app.port(), dave)) {
            sidecar.restart().awaitHealthy(SIDECAR_READY);
            awaitLogCount(sidecar, SUBSCRIBED, subscribed + 1);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ids.add(ws.next(DELIVERY).path("task").path("id").asString());
            }
            assertThat(ids).containsExactly("d-1", "d-2", "d-3", "d-4", "d-5");
        }
    }

    @Test
    void withAnAppApiTokenOnlyTheSidecarGetsThrough() throws Exception {
        String token = "e2e-app-api-token-" + UUID.randomUUID();
        String frank = user("frank");
        try (var secured = TasksyncInstance.start(Tokens.SECRET, "--tasksync.dapr.app-api-token=" + token);
                var securedSidecar = Daprd.builder("tasksync").appPort(secured.port()).kafka(kafka.bootstrapServers())
                        .podName("e2e-secured-0").appApiToken(token).appHealthCheck(HEALTH).start()
                        .awaitHealthy(SIDECAR_READY);
                var ws = WsClient.connectAs(secured.port(), frank)) {
            awaitLogCount(securedSidecar, SUBSCRIBED, 1);
            // daprd presents the token on every call: subscription discovery and delivery work.
            publish(Map.of("event_type", "task.created", "user_id", frank, "task", Map.of("id", "f-1")));
            assertThat(ws.next(DELIVERY).path("task").path("id").asString()).isEqualTo("f-1");

            // Anyone else trying to inject an event is refused.
            String forged = "{\"specversion\":\"1.0\",\"id\":\"forged\",\"source\":\"x\",\"type\":\"t\","
                    + "\"data\":{\"event_type\":\"task.deleted\",\"user_id\":\"" + frank + "\",\"task\":{\"id\":\"f-1\"}}}";
            assertThat(post(secured.port(), null, forged).statusCode()).isEqualTo(401);
            assertThat(post(secured.port(), "not-the-token", forged).statusCode()).isEqualTo(401);
            ws.expectNoMessage(Duration.ofSeconds(1));
        }
    }

    @Test
    void bulkSubscribeDeliversBatchesInOrder() {
        String grace = user("grace");
        try (var bulkApp = TasksyncInstance.start(Tokens.SECRET, "--tasksync.dapr.bulk-subscribe=true",
                    "--tasksync.dapr.topic=" + BULK_TOPIC, "--tasksync.dapr.dead-letter-topic=" + BULK_TOPIC + "-dlq");
                var bulkSidecar = Daprd.builder("tasksync").appPort(bulkApp.port()).kafka(kafka.bootstrapServers())
                        .podName("e2e-bulk-0").appHealthCheck(HEALTH).start().awaitHealthy(SIDECAR_READY);
                var ws = WsClient.connectAs(bulkApp.port(), grace)) {
            awaitLogCount(bulkSidecar, SUBSCRIBED, 1);
            int events = 200;
            // One bulk publish: the events reach Kafka together, so the sidecar has batches to form.
            List<Map<String, Object>> batch = new ArrayList<>();
            for (int i = 0; i < events; i++) {
                batch.add(Map.of("event_type", "task.updated", "user_id", grace, "task", Map.of("id", "g-" + i)));
            }
            var response = ((io.dapr.client.DaprPreviewClient) publisher).publishEvents(PUBSUB, BULK_TOPIC, "application/json", batch).block(Duration.ofSeconds(30));
            assertThat(response.getFailedEntries()).isEmpty();
            for (int i = 0; i < events; i++) {
                assertThat(ws.next(DELIVERY).path("task").path("id").asString()).isEqualTo("g-" + i);
            }
            var batches = bulkApp.bean(MeterRegistry.class).find("tasksync.dapr.bulk.entries").summary();
            assertThat(batches).as("the sidecar used bulk delivery").isNotNull();
            assertThat(batches.count()).isPositive();
            assertThat(batches.max()).as("at least one batch carried several events").isGreaterThan(1);
        }
    }

    private void publish(Map<String, Object> data) {
        publisher.publishEvent(PUBSUB, TOPIC, data).block(Duration.ofSeconds(15));
    }

    private static String user(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Waits for daprd to log {@code text} {@code count} times; if it never does, leaves a goroutine dump in its log. */
    private static void awaitLogCount(Daprd daprd, String text, int count) {
        try {
            Waits.until(() -> daprd.countLog(text) >= count, SIDECAR_READY);
        } catch (AssertionError e) {
            daprd.dumpGoroutines();
            throw new AssertionError("expected " + count + "x '" + text + "' in " + daprd.logFile() + ", found "
                    + daprd.countLog(text) + " (goroutine dump appended to the log)", e);
        }
    }

    static HttpResponse<String> post(int port, String token, String body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/task-updates"))
                .header("Content-Type", "application/cloudevents+json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (token != null) {
            request.header("dapr-api-token", token);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
