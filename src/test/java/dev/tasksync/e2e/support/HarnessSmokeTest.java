package dev.tasksync.e2e.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dapr.client.DaprClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Proves the e2e harness end to end with real processes: KRaft Kafka, a publisher daprd
 * (task-backend, no app), and a subscriber daprd (tasksync) in front of a stand-in app.
 * Fails (never skips) when daprd cannot be built.
 */
@Tag("e2e")
class HarnessSmokeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DELIVERY = Duration.ofSeconds(60);

    @BeforeAll
    static void daprdBinary() {
        // Outside the test timeout: the first run on a machine compiles daprd (minutes).
        DaprdBinary.path();
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void deliversPublishedEventsAndDeadLettersDroppedOnes() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.start();
                StandInSubscriber app = StandInSubscriber.start()) {
            kafka.createTopics("task-updates", "task-updates-dlq");

            try (Daprd backend = Daprd.builder("task-backend").kafka(kafka.bootstrapServers()).start();
                    Daprd tasksync = Daprd.builder("tasksync").appPort(app.port()).kafka(kafka.bootstrapServers()).start();
                    DaprClient client = backend.newClient()) {
                tasksync.awaitHealthy(Duration.ofSeconds(60));
                assertThat(tasksync.metadata()).contains("\"deadLetterTopic\":\"task-updates-dlq\"");

                // The way the task-backend publishes: Dapr Java SDK against its own sidecar (gRPC).
                client.publishEvent("taskpubsub", "task-updates", Map.of("taskId", "t-1", "status", "DONE"))
                        .block(Duration.ofSeconds(15));

                JsonNode delivered = app.awaitEvent(e -> "t-1".equals(e.path("data").path("taskId").asText()), DELIVERY);
                assertThat(delivered.path("specversion").asText()).isEqualTo("1.0");
                assertThat(delivered.path("source").asText()).isEqualTo("task-backend");
                assertThat(delivered.path("topic").asText()).isEqualTo("task-updates");
                assertThat(delivered.path("pubsubname").asText()).isEqualTo("taskpubsub");
                assertThat(delivered.path("datacontenttype").asText()).startsWith("application/json");
                assertThat(delivered.path("data").path("status").asText()).isEqualTo("DONE");

                // Raw HTTP publish API; the app answers DROP and daprd forwards it to the dead-letter topic.
                backend.publish("taskpubsub", "task-updates",
                        "{\"taskId\":\"t-2\",\"malformed\":true}".getBytes(StandardCharsets.UTF_8), "application/json");
                app.awaitEvent(e -> "t-2".equals(e.path("data").path("taskId").asText()), DELIVERY);

                List<String> deadLetters = kafka.readValues("task-updates-dlq", 1, DELIVERY);
                assertThat(deadLetters).hasSize(1);
                JsonNode deadLetter = JSON.readTree(deadLetters.get(0));
                assertThat(deadLetter.path("data").path("taskId").asText()).isEqualTo("t-2");
                assertThat(deadLetter.path("data").path("malformed").asBoolean()).isTrue();
                assertThat(app.received()).extracting(e -> e.path("data").path("taskId").asText())
                        .containsExactly("t-1", "t-2");

                // Subscriber sidecar down while an event is published: same POD_NAME on restart means
                // the same consumer group, which resumes from its committed offset.
                tasksync.stop();
                backend.publish("taskpubsub", "task-updates",
                        "{\"taskId\":\"t-3\"}".getBytes(StandardCharsets.UTF_8), "application/json");
                tasksync.restart().awaitHealthy(Duration.ofSeconds(60));
                app.awaitEvent(e -> "t-3".equals(e.path("data").path("taskId").asText()), DELIVERY);
                assertThat(app.received()).extracting(e -> e.path("data").path("taskId").asText())
                        .containsExactly("t-1", "t-2", "t-3");
            }
        }
    }
}
