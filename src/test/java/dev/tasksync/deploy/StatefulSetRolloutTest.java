package dev.tasksync.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.e2e.support.Daprd;
import dev.tasksync.e2e.support.DaprdBinary;
import dev.tasksync.e2e.support.KafkaBroker;
import dev.tasksync.e2e.support.ProjectPaths;
import dev.tasksync.support.TasksyncInstance;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.Waits;
import dev.tasksync.support.WsClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The consumer-group answer of k8s/ against a real Kafka broker and real daprd sidecars: two replicas
 * named as the StatefulSet's controller names them ({@code <name>-<ordinal>}), consuming with the
 * Kafka component the dev overlay renders (its consumerGroup, clientID and initialOffset), are rolled
 * over as the controller does it (highest ordinal first; each pod stopped, then started again under
 * the same name). Afterwards Kafka's AdminClient must list exactly one consumer group per ordinal,
 * each with a live member: no orphaned group. And an event published while a replica was away must
 * reach a client of the restarted replica (its group resumes from the committed offset), within the
 * StatefulSet's minReadySeconds of the app becoming ready.
 *
 * <p>What it catches (each seen once by breaking it on purpose): restarting a replica under a new
 * name, as a Deployment's replacement pod gets, leaves the old group behind ("consumer groups after
 * rolling tasksync-1" lists tasksync-tasksync-1 and tasksync-tasksync-1-5d8f7, with
 * initialOffset oldest), and with the shipped initialOffset newest the new group also never
 * delivers the event published while the pod was away (no message within 60 s).
 *
 * <p>The replicas run in this JVM on event loops of their own ({@link TasksyncInstance#startAsOwnProcessWould}):
 * with Reactor Netty's shared loops, stopping one replica would stop the other's server too.
 * Timings here are loopback timings on one machine, not a cluster's.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class StatefulSetRolloutTest {

    private static final Duration READY = Duration.ofSeconds(90);
    private static final Duration DELIVERY = Duration.ofSeconds(60);
    private static final String TOPIC = "task-updates";
    private static final int REPLICAS = 2;

    private final Rendered overlay = Rendered.of(DeployFiles.k8s().resolve("overlays/dev"));
    private KafkaBroker kafka;
    private Path components;
    private Daprd backend;
    private final List<TasksyncInstance> apps = new ArrayList<>();
    private final List<Daprd> sidecars = new ArrayList<>();

    @BeforeAll
    void start() {
        DaprdBinary.path();
        kafka = KafkaBroker.start();
        kafka.createTopics(TOPIC, "task-updates-dlq");
        components = standaloneComponents(overlay, kafka.bootstrapServers());
        backend = Daprd.builder("task-backend").resourcesPath(components).podName("backend-0").start();
        for (int ordinal = 0; ordinal < REPLICAS; ordinal++) {
            // Pods are processes: stopping one replica must not take the other's event loops with it.
            TasksyncInstance app = TasksyncInstance.startAsOwnProcessWould(Tokens.SECRET);
            apps.add(app);
            sidecars.add(sidecar(ordinal, app).start().awaitHealthy(READY));
        }
    }

    @AfterAll
    void stop() {
        sidecars.forEach(Daprd::close);
        apps.forEach(TasksyncInstance::close);
        if (backend != null) {
            backend.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void aRolloutKeepsOneGroupPerOrdinalAndLosesNoEvent() {
        String user = "rollout-" + UUID.randomUUID();
        // initialOffset "newest": a brand-new group only sees what is published after it has its partition.
        for (int ordinal = 0; ordinal < REPLICAS; ordinal++) {
            awaitLive(ordinal, user);
        }
        Set<String> expected = new TreeSet<>();
        for (int ordinal = 0; ordinal < REPLICAS; ordinal++) {
            expected.add("tasksync-" + podName(ordinal));
        }
        assertThat(groups().keySet()).as("consumer groups before the rollout").isEqualTo(expected);

        List<Long> readyToDelivered = new ArrayList<>();
        for (int ordinal = REPLICAS - 1; ordinal >= 0; ordinal--) {
            int other = (ordinal + 1) % REPLICAS;
            try (WsClient witness = WsClient.connectAs(apps.get(other).port(), user)) {
                // The pod goes away: the app drains (its clients get 1001), daprd leaves its group.
                apps.get(ordinal).stop();
                sidecars.get(ordinal).stop();
                String gap = "gap-" + ordinal;
                publish(user, gap);
                assertThat(nextTaskId(witness)).as("the other replica delivers meanwhile")
                        .isEqualTo(gap);

                // The same name comes back (the StatefulSet's replacement pod): app, then sidecar, as the containers start.
                apps.get(ordinal).restart();
                long ready = System.nanoTime();
                try (WsClient early = WsClient.connectAs(apps.get(ordinal).port(), user)) {
                    sidecars.get(ordinal).restart().awaitHealthy(READY);
                    // At-least-once: an event the pod had delivered but not yet committed may come again first.
                    List<String> before = new ArrayList<>();
                    for (String id = nextTaskId(early); !id.equals(gap); id = nextTaskId(early)) {
                        before.add(id);
                    }
                    readyToDelivered.add(Duration.ofNanos(System.nanoTime() - ready).toMillis());
                    assertThat(before).as(podName(ordinal) + " resumes its group from the committed offset: the event "
                            + "published while it was away reaches a client that connected as soon as the app was ready "
                            + "(redelivered before it: " + before + ")").allMatch(id -> id.startsWith("gap-"));
                }
            }
            assertThat(groups().keySet()).as("consumer groups after rolling " + podName(ordinal)).isEqualTo(expected);
        }

        publish(user, "after-rollout");
        awaitCommitted(expected);
        Map<String, ConsumerGroupDescription> groups = groups();
        assertThat(groups.keySet()).as("consumer groups after the rollout: one per ordinal, none orphaned").isEqualTo(expected);
        groups.values().forEach(g -> assertThat(g.members()).as("group " + g.groupId() + " has its replica as member").hasSize(1));

        int minReady = overlay.statefulSet().getSpec().getMinReadySeconds();
        System.out.println("StatefulSetRolloutTest: app ready -> event published during the pod's absence delivered (ms): "
                + readyToDelivered + " (minReadySeconds " + minReady + ")");
        assertThat(readyToDelivered).as("the restarted pod's subscription is live within minReadySeconds (" + minReady + " s) of "
                + "the app's readiness").allSatisfy(ms -> assertThat(ms).isLessThan(minReady * 1000L));
    }

    private String podName(int ordinal) {
        return overlay.statefulSet().getMetadata().getName() + "-" + ordinal;
    }

    private Daprd.Builder sidecar(int ordinal, TasksyncInstance app) {
        return Daprd.builder(overlay.podAnnotations().get("dapr.io/app-id")).appPort(app.port()).resourcesPath(components)
                .podName(podName(ordinal)).appHealthCheck(overlay.podAnnotations().get("dapr.io/app-health-check-path"));
    }

    /** Publishes probes until a client of the replica gets one: its sidecar has its partition. */
    private void awaitLive(int ordinal, String user) {
        try (WsClient ws = WsClient.connectAs(apps.get(ordinal).port(), user)) {
            long deadline = System.nanoTime() + READY.toNanos();
            while (System.nanoTime() < deadline) {
                String probe = "probe-" + UUID.randomUUID();
                publish(user, probe);
                try {
                    while (true) {
                        JsonNode m = ws.next(Duration.ofSeconds(3));
                        if (m.path("task").path("id").asString().equals(probe)) {
                            return;
                        }
                    }
                } catch (AssertionError | RuntimeException timeout) {
                    // not live yet: the next probe
                }
            }
            throw new AssertionError(podName(ordinal) + ": no probe delivered within " + READY);
        }
    }

    private void publish(String user, String taskId) {
        byte[] body = ("{\"event_type\":\"task.updated\",\"user_id\":\"" + user + "\",\"task\":{\"id\":\"" + taskId + "\"}}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        backend.publish("taskpubsub", TOPIC, body, "application/json");
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    /** Every consumer group of the tasksync app id (the component's "{appID}-{podName}"), described. */
    private Map<String, ConsumerGroupDescription> groups() {
        try (Admin admin = admin()) {
            List<String> ids = admin.listConsumerGroups().all().get(30, TimeUnit.SECONDS).stream()
                    .map(ConsumerGroupListing::groupId).filter(id -> id.startsWith("tasksync-")).toList();
            return new TreeMap<>(admin.describeConsumerGroups(ids).all().get(30, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new IllegalStateException("listing consumer groups", e);
        }
    }

    /** Waits until every group has committed the topic's end offset (sarama commits on an interval). */
    private void awaitCommitted(Set<String> groupIds) {
        TopicPartition partition = new TopicPartition(TOPIC, 0);
        long deadline = System.nanoTime() + DELIVERY.toNanos();
        Map<String, Long> committed = Map.of();
        try (Admin admin = admin()) {
            long end = admin.listOffsets(Map.of(partition, org.apache.kafka.clients.admin.OffsetSpec.latest())).all()
                    .get(30, TimeUnit.SECONDS).get(partition).offset();
            while (System.nanoTime() < deadline) {
                committed = new TreeMap<>();
                for (String id : groupIds) {
                    OffsetAndMetadata o = admin.listConsumerGroupOffsets(id).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                            .get(partition);
                    committed.put(id, o == null ? -1 : o.offset());
                }
                if (committed.values().stream().allMatch(o -> o == end)) {
                    return;
                }
                Waits.sleep(500);
            }
            throw new AssertionError("groups did not commit the end offset " + end + ": " + committed);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e);
        }
    }

    /**
     * The rendered overlay's Dapr resources for a standalone daprd: the Kafka component exactly as
     * rendered (consumer group, client id, offset, auth type, scopes), except that the brokers come
     * from the test broker instead of the Kubernetes Secret, which a standalone sidecar cannot read.
     */
    static Path standaloneComponents(Rendered overlay, String bootstrap) {
        Path dir = ProjectPaths.logDir().resolve("k8s-components-" + overlay.name());
        try {
            Files.createDirectories(dir);
            try (var old = Files.list(dir)) {
                for (Path f : old.toList()) {
                    Files.delete(f);
                }
            }
            for (String kind : List.of("Component", "Resiliency")) {
                for (ObjectNode resource : overlay.ofKind(kind)) {
                    ObjectNode copy = resource.deepCopy();
                    ((ObjectNode) copy.get("metadata")).remove("namespace");
                    if (kind.equals("Component")) {
                        copy.remove("auth");
                        for (JsonNode item : copy.path("spec").path("metadata")) {
                            if (item.path("name").asString().equals("brokers")) {
                                ((ObjectNode) item).remove("secretKeyRef");
                                ((ObjectNode) item).put("value", bootstrap);
                            }
                            assertThat(item.has("secretKeyRef")).as(overlay + ": component item " + item.path("name").asString()
                                    + " needs a Secret the standalone test cannot provide").isFalse();
                        }
                    }
                    Files.writeString(dir.resolve(kind.toLowerCase() + "-" + copy.path("metadata").path("name").asString() + ".yaml"),
                            DeployFiles.YAML.writeValueAsString(copy));
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next task update's id, skipping late probes of {@link #awaitLive}. */
    private static String nextTaskId(WsClient ws) {
        while (true) {
            String id = ws.next(DELIVERY).path("task").path("id").asString();
            if (!id.startsWith("probe-")) {
                return id;
            }
        }
    }
}
