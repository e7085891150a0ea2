package dev.tasksync.presence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.support.RawWsClient;
import dev.tasksync.support.ServiceTest;
import dev.tasksync.support.SseClient;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Presence on one replica, through real WebSockets: who is on a topic, the snapshot and diffs a
 * watcher gets, the grace period that hides reconnects, coalescing under a reconnect storm.
 */
@ServiceTest
@TestPropertySource(properties = {"tasksync.presence.grace=1500ms", "tasksync.presence.diff-interval=300ms"})
class PresenceTest {

    private static final Duration GRACE = Duration.ofMillis(1500);

    private static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.builder().build();

    @LocalServerPort
    int port;
    @org.springframework.beans.factory.annotation.Autowired
    org.springframework.test.web.reactive.server.WebTestClient http;
    @org.springframework.beans.factory.annotation.Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    private String topic;

    @BeforeEach
    void setUp() {
        topic = "list:" + UUID.randomUUID();
    }

    @Test
    void watcherSeesOthersJoinAndLeaveAfterTheGracePeriod() {
        try (var alice = connect("alice-" + topic, "Alice"); var bob = connect("bob-" + topic, "Bob")) {
            JsonNode state = watch(alice);
            assertThat(state.path("users").size()).isZero();
            assertThat(joins(alice.next())).containsExactly("alice-" + topic);

            subscribe(bob, false);
            JsonNode diff = alice.next();
            assertThat(diff.path("type").asString()).isEqualTo("presence_diff");
            assertThat(diff.path("joins").get(0).path("user_id").asString()).isEqualTo("bob-" + topic);
            assertThat(diff.path("joins").get(0).path("info").path("name").asString()).isEqualTo("Bob");
            assertThat(diff.path("count").asInt()).isEqualTo(2);

            long closedAt = System.nanoTime();
            bob.close();
            JsonNode leave = alice.next(GRACE.plusSeconds(5));
            assertThat(Duration.ofNanos(System.nanoTime() - closedAt)).isGreaterThanOrEqualTo(GRACE);
            assertThat(leave.path("leaves").get(0).path("user_id").asString()).isEqualTo("bob-" + topic);
            assertThat(leave.path("joins").size()).isZero();
            assertThat(leave.path("count").asInt()).isEqualTo(1);
        }
    }

    @Test
    void reconnectWithinTheGracePeriodShowsNothing() {
        String bobId = "bob-" + topic;
        try (var alice = connect("alice-" + topic, "Alice")) {
            watch(alice);
            alice.next(); // alice's own join
            var bob = connect(bobId, "Bob");
            subscribe(bob, false);
            assertThat(joins(alice.next())).containsExactly(bobId);
            bob.close();
            try (var again = connect(bobId, "Bob")) {
                subscribe(again, false);
                alice.expectNoMessage(GRACE.plusMillis(1000));
            }
        }
    }

    @Test
    void anotherTabKeepsTheUserPresent() {
        String bobId = "bob-" + topic;
        try (var alice = connect("alice-" + topic, "Alice"); var tab1 = connect(bobId, "Bob");
                var tab2 = connect(bobId, "Bob")) {
            watch(alice);
            alice.next();
            subscribe(tab1, false);
            subscribe(tab2, false);
            assertThat(joins(alice.next())).containsExactly(bobId);
            tab1.close();
            alice.expectNoMessage(GRACE.plusMillis(1000));
            alice.send("{\"action\":\"presence\",\"topic\":\"" + topic + "\"}");
            JsonNode who = alice.next();
            assertThat(who.path("action").asString()).isEqualTo("presence");
            assertThat(who.path("count").asInt()).isEqualTo(2);
            for (JsonNode u : who.path("users")) {
                if (u.path("user_id").asString().equals(bobId)) {
                    assertThat(u.path("connections").asInt()).isEqualTo(1);
                    assertThat(u.path("info").path("name").asString()).isEqualTo("Bob");
                }
            }
        }
    }

    @Test
    void statsAndMetricsShowMembersAndDiffs() {
        try (var alice = connect("alice-" + topic, "Alice"); var bob = connect("bob-" + topic, "Bob")) {
            watch(alice);
            subscribe(bob, false);
            java.util.Set<String> joined = new HashSet<>();
            while (joined.size() < 2) {
                joined.addAll(joins(alice.next()));
            }
            JsonNode stats = JSON.readTree(http.get().uri("/stats")
                    .header("Authorization", "Bearer " + Tokens.admin("ops")).exchange().expectStatus().isOk()
                    .expectBody().returnResult().getResponseBody());
            assertThat(stats.path("presence").path("topics").path(topic).asInt()).isEqualTo(2);
            assertThat(stats.path("presence").path("members").asInt()).isGreaterThanOrEqualTo(2);
            assertThat(meters.get("tasksync.presence.events").tag("event", "diff").counter().count()).isGreaterThan(0);
            assertThat(meters.get("tasksync.presence.members").gauge().value()).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void presenceNamedAtConnectIsJoinedAndWatchedFromTheStart() {
        String token = Tokens.forUser("alice-" + topic, b -> b.claim("topics", List.of("list:*")).claim("name", "A"));
        // No topics=: presence= joins the topic as well. Over WebSocket …
        try (var alice = WsClient.connect(port, token + "&presence=" + topic + ",other:1")) {
            JsonNode hello = alice.next();
            assertThat(hello.path("topics").toString()).isEqualTo("[\"" + topic + "\"]");
            assertThat(alice.next().path("error").asString()).isEqualTo("Forbidden"); // other:1
            JsonNode state = alice.next();
            assertThat(state.path("type").asString()).isEqualTo("presence_state");
            assertThat(state.path("topic").asString()).isEqualTo(topic);
            assertThat(joins(alice.next())).containsExactly("alice-" + topic);
            // … and over SSE, which sends nothing but its URL.
            try (var sse = SseClient.connect(port, "token=" + Tokens.forUser("sam-" + topic,
                    b -> b.claim("topics", List.of("list:*"))) + "&topics=" + topic + "&presence=" + topic, Map.of())) {
                assertThat(sse.next().event()).isEqualTo("connected");
                var snapshot = sse.next();
                assertThat(snapshot.event()).isEqualTo("presence_state");
                assertThat(snapshot.json().path("users").toString()).contains("alice-" + topic);
                assertThat(joins(alice.next())).containsExactly("sam-" + topic);
                try (var bob = connect("bob-" + topic, "Bob")) {
                    subscribe(bob, false);
                    var diff = sse.next(Duration.ofSeconds(5));
                    while (!diff.json().path("joins").toString().contains("bob-")) {
                        diff = sse.next(Duration.ofSeconds(5)); // sam's own join may come first
                    }
                    assertThat(diff.event()).isEqualTo("presence_diff");
                    assertThat(joins(diff.json())).containsExactly("bob-" + topic);
                    // Other users' signals reach the stream too.
                    bob.send("{\"action\":\"signal\",\"topic\":\"" + topic + "\",\"event\":\"typing\",\"data\":{}}");
                    var signal = sse.next(Duration.ofSeconds(5));
                    assertThat(signal.event()).isEqualTo("signal");
                    assertThat(signal.json().path("from").asString()).isEqualTo("bob-" + topic);
                }
            }
        }
    }

    @Test
    void presenceOfATopicTheUserMayNotSeeIsForbidden() {
        try (var eve = WsClient.connectAs(port, "eve-" + topic)) {
            eve.send("{\"action\":\"presence\",\"topic\":\"" + topic + "\"}");
            JsonNode reply = eve.next();
            assertThat(reply.path("error").asString()).isEqualTo("Forbidden");
            assertThat(reply.path("topic").asString()).isEqualTo(topic);
            eve.send("{\"type\":\"ping\"}");
            assertThat(eve.next().path("type").asString()).isEqualTo("pong");
        }
    }

    @Test
    void aReconnectStormOfAThousandConnectionsMakesAFewDiffs() throws Exception {
        try (var watcher = connect("watcher-" + topic, "W")) {
            watch(watcher);
            watcher.next();
            List<RawWsClient> clients = storm();
            try {
                Set<String> joined = new HashSet<>();
                int diffs = 0;
                while (joined.size() < 100) {
                    JsonNode diff = watcher.next(Duration.ofSeconds(20));
                    diffs++;
                    joined.addAll(joins(diff));
                }
                assertThat(diffs).as("diffs for 100 users joining with 1000 connections").isLessThanOrEqualTo(20);
                // All reconnect at once: every connection closes and comes back within the grace period.
                closeAll(clients);
                clients = storm();
                watcher.expectNoMessage(GRACE.plusMillis(1000));
                // They all go for good: one diff (or a few) with 100 leaves, after the grace period.
                closeAll(clients);
                Set<String> left = new HashSet<>();
                diffs = 0;
                while (left.size() < 100) {
                    JsonNode diff = watcher.next(GRACE.plusSeconds(10));
                    diffs++;
                    diff.path("leaves").forEach(l -> left.add(l.path("user_id").asString()));
                }
                assertThat(diffs).isLessThanOrEqualTo(5);
            } finally {
                closeAll(clients);
            }
        }
    }

    /** 1,000 connections of 100 users, each subscribed to the topic (bare sockets: cheap for the test). */
    private List<RawWsClient> storm() throws Exception {
        List<RawWsClient> clients = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            RawWsClient c = RawWsClient.connect(port, Tokens.withTopics("storm-" + (i % 100) + "-" + topic, "list:*"), 0);
            clients.add(c);
            c.sendText("{\"action\":\"subscribe\",\"topic\":\"" + topic + "\"}");
        }
        return clients;
    }

    private static void closeAll(List<RawWsClient> clients) throws Exception {
        for (RawWsClient c : clients) {
            c.close();
        }
        clients.clear();
    }

    private WsClient connect(String user, String name) {
        WsClient c = WsClient.connect(port,
                Tokens.forUser(user, b -> b.claim("topics", List.of("list:*")).claim("name", name)));
        assertThat(c.next().path("type").asString()).isEqualTo("connected");
        return c;
    }

    /** Subscribes with presence and returns the snapshot. */
    private JsonNode watch(WsClient c) {
        subscribe(c, true);
        JsonNode state = c.next();
        assertThat(state.path("type").asString()).isEqualTo("presence_state");
        assertThat(state.path("topic").asString()).isEqualTo(topic);
        return state;
    }

    private void subscribe(WsClient c, boolean presence) {
        c.send("{\"action\":\"subscribe\",\"topic\":\"" + topic + "\",\"presence\":" + presence + "}");
        assertThat(c.next().path("action").asString()).isEqualTo("subscribed");
    }

    private static List<String> joins(JsonNode diff) {
        assertThat(diff.path("type").asString()).as(diff.toString()).isEqualTo("presence_diff");
        List<String> out = new ArrayList<>();
        diff.path("joins").forEach(j -> out.add(j.path("user_id").asString()));
        return out;
    }
}
