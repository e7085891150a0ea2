package dev.tasksync.presence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.fanout.Frame;
import dev.tasksync.presence.Presence.Entry;
import dev.tasksync.presence.Presence.Key;
import dev.tasksync.wire.ServerMessages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The merged view of one replica, driven by other replicas' messages and a clock of its own (one class, no app). */
class PresenceMergeTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TOPIC = "list:1";

    private long nanos = 1_000_000_000L;
    private Presence presence;
    private Watcher watcher;

    @BeforeEach
    void setUp() {
        var props = new PresenceProperties(Duration.ofSeconds(10), Duration.ofSeconds(1), 3, true, "t",
                Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ofSeconds(15));
        presence = new Presence("self", new ServerMessages(JSON), props, () -> nanos, Presence.Events.NONE);
        watcher = new Watcher("w");
        presence.watch(watcher, TOPIC);
        assertThat(watcher.take()).hasSize(1); // the snapshot
    }

    @Test
    void aGapInASequenceIsHealedByTheNextSnapshot() {
        presence.delta("B", 0, 1000, List.of(entry("bob", 1)));
        presence.flush();
        assertThat(joins(single())).containsExactly("bob");
        // seq 1 (carol joining) is lost; seq 2 arrives: a gap, carol unknown until B's snapshot.
        presence.delta("B", 2, 1200, List.of(entry("dan", 1)));
        presence.flush();
        assertThat(joins(single())).containsExactly("dan");
        assertThat(presence.peers()).containsEntry("B", true);
        presence.snapshot("B", 3, 1300, 3, 0, 2, List.of(entry("bob", 1)));
        presence.snapshot("B", 4, 1300, 3, 1, 2, List.of(entry("carol", 1)));
        presence.flush();
        assertThat(joins(single())).containsExactly("carol");
        assertThat(presence.peers()).containsEntry("B", false);
        // dan was in no part of the snapshot: he is gone from B, and leaves after the grace period.
        nanos += Duration.ofSeconds(11).toNanos();
        presence.flush();
        assertThat(leaves(single())).containsExactly("dan");
    }

    @Test
    void aSnapshotWithAMissingPartChangesNothing() {
        presence.delta("B", 0, 1000, List.of(entry("bob", 1)));
        presence.flush();
        watcher.take();
        presence.snapshot("B", 2, 1300, 1, 1, 2, List.of()); // part 0 was lost
        nanos += Duration.ofSeconds(11).toNanos();
        presence.flush();
        assertThat(watcher.take()).isEmpty();
    }

    @Test
    void redeliveredMessagesAreIgnored() {
        presence.delta("B", 0, 1000, List.of(entry("bob", 1)));
        presence.delta("B", 1, 1000, List.of(entry("bob", 0)));
        presence.delta("B", 0, 1000, List.of(entry("bob", 1))); // Kafka redelivers seq 0
        nanos += Duration.ofSeconds(11).toNanos();
        presence.flush();
        assertThat(watcher.take()).isEmpty(); // bob came and went within the grace period
    }

    @Test
    void aReplicaIsDroppedOnlyWhenTheFeedHasMovedOnWithoutIt() {
        presence.delta("B", 0, 1_000, List.of(entry("bob", 1)));
        presence.flush();
        watcher.take();
        // This replica's consumer lags: nothing arrives for a minute, its own heartbeats neither. B stays.
        nanos += Duration.ofMinutes(1).toNanos();
        assertThat(presence.expireReplicas()).isZero();
        // Its own heartbeat, sent 14 s after B's last message: still within the timeout.
        presence.snapshot("self", 0, 15_000, 0, 0, 1, List.of());
        assertThat(presence.expireReplicas()).isZero();
        // 16 s after: B is dead, bob's grace starts.
        presence.snapshot("self", 1, 17_000, 1, 0, 1, List.of());
        assertThat(presence.expireReplicas()).isEqualTo(1);
        presence.flush();
        assertThat(watcher.take()).isEmpty();
        nanos += Duration.ofSeconds(11).toNanos();
        presence.flush();
        assertThat(leaves(single())).containsExactly("bob");
        // A late message of the dead incarnation does not bring bob back.
        presence.delta("B", 1, 2_000, List.of(entry("bob", 1)));
        presence.flush();
        assertThat(watcher.take()).isEmpty();
    }

    @Test
    void byeLetsAReplicasUsersGoWithoutWaitingForTheTimeout() {
        presence.delta("B", 0, 1000, List.of(entry("bob", 1)));
        presence.delta("C", 0, 1000, List.of(entry("bob", 1), entry("carol", 1)));
        presence.flush();
        assertThat(joins(single())).containsExactlyInAnyOrder("bob", "carol");
        presence.bye("C", 1, 1100);
        nanos += Duration.ofSeconds(11).toNanos();
        presence.flush();
        assertThat(leaves(single())).containsExactly("carol"); // bob is still on B
    }

    @Test
    void aboveTheMemberLimitOnlyCountsAreSent() {
        presence.delta("B", 0, 1000, List.of(entry("a", 1), entry("b", 1), entry("c", 1), entry("d", 2)));
        presence.flush();
        JsonNode diff = single();
        assertThat(diff.has("joins")).isFalse();
        assertThat(diff.path("count").asInt()).isEqualTo(4);
        JsonNode query = JSON.readTree(presence.query(TOPIC).bytes());
        assertThat(query.has("users")).isFalse();
        assertThat(query.path("count").asInt()).isEqualTo(4);
    }

    @Test
    void oneSnapshotIsEncodedForEveryWatcherUntilTheTopicChanges() {
        presence.delta("B", 0, 1000, List.of(entry("bob", 1)));
        presence.flush();
        watcher.take();
        Watcher second = new Watcher("w2");
        Watcher third = new Watcher("w3");
        presence.watch(second, TOPIC);
        presence.watch(third, TOPIC);
        Frame snapshot = second.take().get(0);
        assertThat(third.take().get(0)).isSameAs(snapshot);
        assertThat(presence.query(TOPIC)).isSameAs(presence.query(TOPIC));
        // bob opens a second connection: the next snapshot and reply show it, before any diff.
        presence.delta("B", 1, 1100, List.of(entry("bob", 2)));
        Watcher fourth = new Watcher("w4");
        presence.watch(fourth, TOPIC);
        JsonNode fresh = JSON.readTree(fourth.take().get(0).bytes());
        assertThat(fresh.path("users").get(0).path("connections").asInt()).isEqualTo(2);
        assertThat(JSON.readTree(presence.query(TOPIC).bytes()).path("users").get(0).path("connections").asInt())
                .isEqualTo(2);
        // carol joins: as of the diff, every new snapshot has her.
        presence.delta("B", 2, 1200, List.of(entry("carol", 1)));
        presence.flush();
        Watcher fifth = new Watcher("w5");
        presence.watch(fifth, TOPIC);
        assertThat(JSON.readTree(fifth.take().get(0).bytes()).path("count").asInt()).isEqualTo(2);
    }

    private static Entry entry(String user, int count) {
        return new Entry(new Key(TOPIC, user), count, Map.of("name", user.toUpperCase()));
    }

    private JsonNode single() {
        List<Frame> frames = watcher.take();
        assertThat(frames).hasSize(1);
        return JSON.readTree(frames.get(0).bytes());
    }

    private static List<String> joins(JsonNode diff) {
        List<String> out = new ArrayList<>();
        diff.path("joins").forEach(j -> out.add(j.path("user_id").asString()));
        return out;
    }

    private static List<String> leaves(JsonNode diff) {
        List<String> out = new ArrayList<>();
        diff.path("leaves").forEach(j -> out.add(j.path("user_id").asString()));
        return out;
    }
}
