package dev.tasksync.e2e.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.dapr.client.DaprClient;
import io.dapr.client.DaprClientBuilder;
import io.dapr.config.Properties;
import io.dapr.testcontainers.Component;
import io.dapr.testcontainers.DaprContainer;
import dev.tasksync.support.Prerequisite;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Network;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Container variant of {@link HarnessSmokeTest} for machines with a Docker engine: Kafka and
 * both sidecars (official daprd image) in containers, the stand-in app on the host. Not part of
 * {@code make test} (excluded in pom.xml: this repo's CI has no Docker engine); run it with
 * {@code -Dtest=DaprTestcontainersTest}. Without an engine it is skipped, or fails with CI set.
 */
@Tag("e2e")
@Testcontainers
class DaprTestcontainersTest {

    @BeforeAll
    static void dockerEngine() {
        Prerequisite.require(DockerClientFactory.instance().isDockerAvailable(),
                "DaprTestcontainersTest needs a Docker engine, and none is reachable");
    }

    private static final String DAPRD_IMAGE = "daprio/daprd:1.16.5";
    private static final String KAFKA_IMAGE = "apache/kafka:4.1.0";
    private static final String KAFKA_IN_NETWORK = "kafka:19092";
    private static final Duration DELIVERY = Duration.ofSeconds(60);

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void deliversPublishedEventsAndDeadLettersDroppedOnes() throws Exception {
        try (StandInSubscriber app = StandInSubscriber.start();
                Network network = Network.newNetwork();
                KafkaContainer kafka = new KafkaContainer(KAFKA_IMAGE).withNetwork(network).withListener(KAFKA_IN_NETWORK)) {
            org.testcontainers.Testcontainers.exposeHostPorts(app.port());
            kafka.start();

            try (DaprContainer backend = sidecar("task-backend", network);
                    DaprContainer tasksync = sidecar("tasksync", network)
                            .withAppPort(app.port())
                            .withAppChannelAddress("host.testcontainers.internal")) {
                backend.start();
                tasksync.start();

                try (DaprClient client = new DaprClientBuilder()
                        .withPropertyOverride(Properties.HTTP_ENDPOINT, backend.getHttpEndpoint())
                        .withPropertyOverride(Properties.GRPC_ENDPOINT, backend.getGrpcEndpoint())
                        .build()) {
                    client.publishEvent("taskpubsub", "task-updates", Map.of("taskId", "t-1")).block(Duration.ofSeconds(15));
                    client.publishEvent("taskpubsub", "task-updates",
                            "{\"taskId\":\"t-2\",\"malformed\":true}".getBytes(StandardCharsets.UTF_8)).block(Duration.ofSeconds(15));
                }

                app.awaitEvent(e -> "t-1".equals(e.path("data").path("taskId").asText()), DELIVERY);
                List<String> deadLetters = KafkaReader.readValues(kafka.getBootstrapServers(), "task-updates-dlq", 1, DELIVERY);
                assertThat(deadLetters).hasSize(1).first().asString().contains("t-2");
            }
        }
    }

    /**
     * Mirrors components/pubsub.yaml. The module's Component type has no envRef or scopes, so
     * the brokers address is a plain value here.
     */
    private static DaprContainer sidecar(String appId, Network network) {
        Component pubsub = new Component("taskpubsub", "pubsub.kafka", "v1", Map.of(
                "brokers", KAFKA_IN_NETWORK,
                "authType", "none",
                "consumerGroup", "{appID}-{podName}",
                "clientID", "{appID}-{podName}",
                "initialOffset", "oldest"));
        return new DaprContainer(DAPRD_IMAGE)
                .withAppName(appId)
                .withNetwork(network)
                .withEnv("POD_NAME", "local-0")
                .withComponent(pubsub);
    }
}
