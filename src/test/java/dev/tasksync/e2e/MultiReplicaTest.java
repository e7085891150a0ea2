package dev.tasksync.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.e2e.support.Daprd;
import dev.tasksync.e2e.support.DaprdBinary;
import dev.tasksync.e2e.support.KafkaBroker;
import dev.tasksync.support.TasksyncInstance;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.WsClient;
import io.dapr.client.DaprClient;
import java.net.URI;
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
import org.springframework.http.HttpHeaders;
import tools.jackson.databind.JsonNode;

/**
 * Two replicas, each with its own daprd and consumer group, one Kafka: every replica gets
 * every event, so a user's connections spread over both all receive it, and a client that
 * reconnects to the other replica resumes without a gap.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MultiReplicaTest {

    private static final Duration DELIVERY = Duration.ofSeconds(60);
    private static final Duration READY = Duration.ofSeconds(90);
    private static final String HEALTH = "/actuator/health/readiness";

    private KafkaBroker kafka;
    private Daprd backend;
    private DaprClient publisher;
    private final List<TasksyncInstance> replicas = new ArrayList<>();
    private final List<Daprd> sidecars = new ArrayList<>();

    @BeforeAll
    void start() {
        DaprdBinary.path();
        kafka = KafkaBroker.start();
        kafka.createTopics("task-updates", "task-updates-dlq");
        backend = Daprd.builder("task-backend").kafka(kafka.bootstrapServers()).podName("backend-0").start();
        publisher = backend.newClient();
        for (int i = 0; i < 2; i++) {
            TasksyncInstance app = TasksyncInstance.start(Tokens.SECRET);
            replicas.add(app);
            Daprd sidecar = Daprd.builder("tasksync").appPort(app.port()).kafka(kafka.bootstrapServers())
                    .podName("replica-" + i).appHealthCheck(HEALTH).start().awaitHealthy(READY);
            sidecar.awaitLog("app is subscribed to the following topics", READY);
            sidecars.add(sidecar);
        }
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : sidecars) {
            c.close();
        }
        for (AutoCloseable c : replicas) {
            c.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {publisher, backend, kafka}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void connectionsOfOneUserOnBothReplicasAllGetTheEvent() {
        String user = "spread-" + UUID.randomUUID();
        try (var onFirst = WsClient.connectAs(port(0), user); var onSecond = WsClient.connectAs(port(1), user);
                var alsoSecond = WsClient.connectAs(port(1), user)) {
            publish(user, "m-1");
            for (WsClient ws : List.of(onFirst, onSecond, alsoSecond)) {
                assertThat(ws.next(DELIVERY).path("task").path("id").asString()).isEqualTo("m-1");
            }
        }
    }

    @Test
    void clientMovingToTheOtherReplicaResumesWithoutGap() {
        String user = "mover-" + UUID.randomUUID();
        String lastSeen;
        try (var first = WsClient.connectAs(port(0), user); var witness = WsClient.connectAs(port(1), user)) {
            publish(user, "r-1");
            lastSeen = first.next(DELIVERY).path("id").asString();
            // The other replica has consumed r-1 too (it knows the id the client will resume from).
            assertThat(witness.next(DELIVERY).path("id").asString()).isEqualTo(lastSeen);
            first.close();
            publish(user, "r-2");
            publish(user, "r-3");
            // Both missed events have reached the second replica before the client arrives there.
            assertThat(witness.next(DELIVERY).path("task").path("id").asString()).isEqualTo("r-2");
            assertThat(witness.next(DELIVERY).path("task").path("id").asString()).isEqualTo("r-3");
        }
        URI resume = URI.create("ws://127.0.0.1:" + port(1) + "/ws?token=" + Tokens.forUser(user) + "&since=" + lastSeen);
        try (var moved = WsClient.open(resume, new HttpHeaders())) {
            JsonNode hello = moved.next();
            assertThat(hello.path("resumed").asBoolean()).isTrue();
            assertThat(moved.next().path("task").path("id").asString()).isEqualTo("r-2");
            assertThat(moved.next().path("task").path("id").asString()).isEqualTo("r-3");
            publish(user, "r-4");
            assertThat(moved.next(DELIVERY).path("task").path("id").asString()).isEqualTo("r-4");
            moved.expectNoMessage(Duration.ofMillis(500));
        }
    }

    private int port(int replica) {
        return replicas.get(replica).port();
    }

    private void publish(String user, String taskId) {
        publisher.publishEvent("taskpubsub", "task-updates",
                Map.of("event_type", "task.updated", "user_id", user, "task", Map.of("id", taskId)))
                .block(Duration.ofSeconds(15));
    }
}
