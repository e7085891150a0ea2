package dev.tasksync.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.e2e.support.Daprd;
import dev.tasksync.e2e.support.DaprdBinary;
import dev.tasksync.e2e.support.FreePorts;
import dev.tasksync.e2e.support.KafkaBroker;
import dev.tasksync.e2e.support.ReplicaProcess;
import dev.tasksync.support.TasksyncInstance;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * Presence and signals across two replicas, each with its own daprd, one Kafka: replica A runs in
 * this JVM, replica B in a JVM of its own so that it can be SIGKILLed. They share presence and
 * signals through the same pub/sub component as task events (one consumer group per replica).
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PresenceAcrossReplicasTest {

    private static final Duration READY = Duration.ofSeconds(90);
    private static final Duration GRACE = Duration.ofSeconds(2);
    private static final Duration REPLICA_TIMEOUT = Duration.ofSeconds(6);
    private static final Duration ACROSS = Duration.ofSeconds(20);
    private static final String[] PRESENCE = {
        "--tasksync.presence.grace=" + GRACE.toMillis() + "ms",
        "--tasksync.presence.diff-interval=200ms",
        "--tasksync.presence.publish-interval=100ms",
        "--tasksync.presence.heartbeat-interval=1s",
        "--tasksync.presence.replica-timeout=" + REPLICA_TIMEOUT.toSeconds() + "s",
    };

    @org.junit.jupiter.api.BeforeEach
    void newTopic() {
        topic = "list:" + UUID.randomUUID();
    }

    private KafkaBroker kafka;
    private TasksyncInstance a;
    private ReplicaProcess b;
    private final List<Daprd> sidecars = new ArrayList<>();
    private String topic;

    @BeforeAll
    void start() {
        DaprdBinary.path();
        kafka = KafkaBroker.start();
        kafka.createTopics("task-updates", "task-updates-dlq", "tasksync-presence", "tasksync-signals");
        int grpcA = FreePorts.next();
        int grpcB = FreePorts.next();
        a = TasksyncInstance.start(Tokens.SECRET, args(grpcA));
        sidecars.add(sidecar(a.port(), grpcA, "replica-a"));
        b = ReplicaProcess.start("b", Tokens.SECRET, READY, args(grpcB));
        sidecars.add(sidecar(b.port(), grpcB, "replica-b"));
    }

    private static String[] args(int grpcPort) {
        List<String> all = new ArrayList<>(List.of(PRESENCE));
        all.add("--tasksync.sidecar.grpc-port=" + grpcPort);
        return all.toArray(String[]::new);
    }

    private Daprd sidecar(int appPort, int grpcPort, String pod) {
        Daprd d = Daprd.builder("tasksync").appPort(appPort).grpcPort(grpcPort).kafka(kafka.bootstrapServers())
                .podName(pod).appHealthCheck("/readyz").start().awaitHealthy(READY);
        d.awaitLog("app is subscribed to the following topics", READY);
        return d;
    }

    @AfterAll
    void stop() {
        sidecars.forEach(Daprd::close);
        for (AutoCloseable c : new AutoCloseable[] {b, a, kafka}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }

    @Test
    @Order(1)
    void eachSeesTheOtherJoinAndALeaveOnlyAfterTheGracePeriod() {
        String bobId = "bob-" + topic;
        try (var alice = watch(a.port(), "alice-" + topic)) {
            var bob = watch(b.port(), bobId);
            long bobJoined = System.nanoTime();
            awaitJoins(alice, Set.of("alice-" + topic, bobId));
            long acrossMillis = (System.nanoTime() - bobJoined) / 1_000_000;
            awaitJoins(bob, Set.of("alice-" + topic, bobId));
            System.out.println("presence: bob's join reached alice on the other replica in " + acrossMillis + " ms");

            // Bob closes his last tab: alice sees him leave, but only after the grace period.
            long closed = System.nanoTime();
            bob.close();
            JsonNode leave = nextDiff(alice, GRACE.plus(ACROSS));
            assertThat(Duration.ofNanos(System.nanoTime() - closed)).isGreaterThanOrEqualTo(GRACE);
            assertThat(users(leave.path("leaves"))).containsExactly(bobId);

            // Bob comes back and leaves again, reconnecting within the grace period: alice sees nothing.
            var back = watch(b.port(), bobId);
            awaitJoins(alice, Set.of(bobId));
            back.close();
            try (var again = watch(b.port(), bobId)) {
                alice.expectNoMessage(GRACE.plusSeconds(2));
            }
        }
    }

    @Test
    @Order(2)
    void signalsReachSubscribersOnBothReplicasButNotTheSender() {
        try (var alice = subscribe(a.port(), "alice-s-" + topic); var carol = subscribe(a.port(), "carol-s-" + topic);
                var bob = subscribe(b.port(), "bob-s-" + topic)) {
            alice.send("{\"action\":\"signal\",\"topic\":\"" + topic + "\",\"event\":\"typing\",\"data\":{\"task\":7}}");
            for (WsClient other : List.of(carol, bob)) {
                JsonNode s = nextOfType(other, "signal", ACROSS);
                assertThat(s.path("from").asString()).isEqualTo("alice-s-" + topic);
                assertThat(s.path("data").path("task").asInt()).isEqualTo(7);
            }
            bob.send("{\"action\":\"signal\",\"topic\":\"" + topic + "\",\"event\":\"typing\"}");
            assertThat(nextOfType(alice, "signal", ACROSS).path("from").asString()).isEqualTo("bob-s-" + topic);
            assertThat(nextOfType(carol, "signal", ACROSS).path("from").asString()).isEqualTo("bob-s-" + topic);
            // Neither sender gets its own signal back, from its replica or through Kafka.
            for (WsClient c : List.of(alice, bob)) {
                String m;
                while ((m = c.nextText(Duration.ofSeconds(2))) != null) {
                    assertThat(m).doesNotContain("\"type\":\"signal\",\"topic\":\"" + topic + "\",\"event\":\"typing\",\"from\":\""
                            + (c == alice ? "alice" : "bob"));
                }
            }
        }
    }

    @Test
    @Order(3)
    void usersOfAKilledReplicaLeaveAfterTheTimeoutAndComeBackWhenTheyReconnect() {
        String daveId = "dave-" + topic;
        try (var alice = watch(a.port(), "alice-k-" + topic)) {
            var dave = watch(b.port(), daveId);
            awaitJoins(alice, Set.of("alice-k-" + topic, daveId));
            long killed = System.nanoTime();
            b.kill();
            sidecars.get(1).close();
            JsonNode leave = nextDiff(alice, REPLICA_TIMEOUT.plus(GRACE).plus(ACROSS));
            long leftAfter = (System.nanoTime() - killed) / 1_000_000;
            assertThat(users(leave.path("leaves"))).contains(daveId);
            assertThat(leftAfter).isGreaterThanOrEqualTo(REPLICA_TIMEOUT.toMillis() - 1500);
            System.out.println("presence: users of the killed replica left after " + leftAfter + " ms");
            dave.close();
            try (var moved = watch(a.port(), daveId)) {
                awaitJoins(alice, Set.of(daveId));
            }
        }
    }

    private WsClient connect(int port, String user) {
        WsClient c = WsClient.connect(port, Tokens.withTopics(user, "list:*"));
        assertThat(c.next().path("type").asString()).isEqualTo("connected");
        return c;
    }

    private WsClient subscribe(int port, String user) {
        WsClient c = connect(port, user);
        c.send("{\"action\":\"subscribe\",\"topic\":\"" + topic + "\"}");
        assertThat(c.next().path("action").asString()).isEqualTo("subscribed");
        return c;
    }

    /** Users in each watcher's snapshot: they were members already, no join diff will name them. */
    private final java.util.Map<WsClient, List<String>> snapshots = new java.util.IdentityHashMap<>();

    private WsClient watch(int port, String user) {
        WsClient c = connect(port, user);
        c.send("{\"action\":\"subscribe\",\"topic\":\"" + topic + "\",\"presence\":true}");
        assertThat(c.next().path("action").asString()).isEqualTo("subscribed");
        JsonNode state = c.next();
        assertThat(state.path("type").asString()).isEqualTo("presence_state");
        snapshots.put(c, users(state.path("users")));
        return c;
    }

    /** Reads diffs until every one of {@code users} has joined (or was in the snapshot); fails on a leave of one of them. */
    private void awaitJoins(WsClient c, Set<String> users) {
        Set<String> joined = new HashSet<>(snapshots.getOrDefault(c, List.of()));
        snapshots.remove(c);
        while (!joined.containsAll(users)) {
            JsonNode diff = nextDiff(c, ACROSS);
            joined.addAll(users(diff.path("joins")));
            assertThat(users(diff.path("leaves"))).doesNotContainAnyElementsOf(users);
        }
    }

    private static JsonNode nextDiff(WsClient c, Duration wait) {
        return nextOfType(c, "presence_diff", wait);
    }

    private static JsonNode nextOfType(WsClient c, String type, Duration wait) {
        while (true) {
            JsonNode m = c.next(wait);
            if (type.equals(m.path("type").asString())) {
                return m;
            }
        }
    }

    private static List<String> users(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(u -> out.add(u.path("user_id").asString()));
        return out;
    }
}
