package dev.tasksync.ws;

import static dev.tasksync.support.Deliveries.taskEvent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.support.Deliveries;
import dev.tasksync.support.ServiceTest;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.WsClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * A connection joins its streams before the upgrade response: an event published the moment the
 * client sees the socket open (no {@code since}) is never missed, for its user stream and for
 * topics named at connect ({@code ?topics=}); and topics named at connect resume together with
 * the user stream from one position, in log order.
 */
@ServiceTest
class ConnectTimeJoinTest {

    private static final int RACES = 1_000;
    private static final Duration ARRIVAL = Duration.ofSeconds(3);

    @LocalServerPort
    int port;
    @Autowired
    WebTestClient http;

    private Deliveries dapr;
    private ExecutorService pool;
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void setUp() {
        dapr = new Deliveries(http);
        pool = Executors.newFixedThreadPool(8);
    }

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    @Test
    void anEventPublishedAsTheSocketOpensReachesIt() throws Exception {
        var missed = races(i -> {
            String user = "race-" + run + "-" + i;
            try (var ws = WsClient.connect(port, Tokens.forUser(user))) {
                // The client has seen the 101: publish at once, as a backend reacting to "online" would.
                assertThat(dapr.publish("race-" + user, taskEvent("task.updated", user, Map.of("id", i))))
                        .isEqualTo("SUCCESS");
                assertThat(ws.next().path("type").asString()).isEqualTo("connected");
                return arrived(ws, "race-" + user);
            }
        });
        assertThat(missed).as("events missed by a socket that had just opened").isEmpty();
    }

    @Test
    void aTopicEventPublishedAsTheSocketOpensReachesItWhenTheTopicWasNamedAtConnect() throws Exception {
        var missed = races(i -> {
            String user = "trace-" + run + "-" + i;
            String topic = "list:" + user;
            try (var ws = open(Tokens.withTopics(user, "list:*"), "topics=" + topic)) {
                assertThat(dapr.publish("t-" + user, Map.of("topic", topic, "event", "ADDED", "data", Map.of())))
                        .isEqualTo("SUCCESS");
                JsonNode hello = ws.next();
                assertThat(hello.path("type").asString()).isEqualTo("connected");
                assertThat(hello.path("topics").get(0).asString()).isEqualTo(topic);
                return arrived(ws, "t-" + user);
            }
        });
        assertThat(missed).as("topic events missed by a socket that had just opened").isEmpty();
    }

    @Test
    void topicsNamedAtConnectResumeWithTheUserStreamFromOnePositionInLogOrder() {
        String user = "joint-" + run;
        String a = "list:a-" + user;
        String b = "list:b-" + user;
        String token = Tokens.withTopics(user, "list:*");
        String lastSeen;
        try (var ws = open(token, "topics=" + a + "," + b)) {
            ws.next();
            publishTopic("a1-" + user, a);
            lastSeen = ws.next().path("id").asString();
        }
        // Missed while away, interleaved across the three streams.
        publishTopic("b1-" + user, b);
        publishUser("u1", user);
        publishTopic("a2-" + user, a);
        publishUser("u2", user);
        publishTopic("b2-" + user, b);
        try (var ws = open(token, "topics=" + a + "," + b + "&since=" + lastSeen)) {
            JsonNode hello = ws.next();
            assertThat(hello.path("resumed").asBoolean()).isTrue();
            assertThat(hello.path("topics").toString()).isEqualTo("[\"" + a + "\",\"" + b + "\"]");
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ids.add(ws.next().path("id").asString());
            }
            assertThat(ids).containsExactly("b1-" + user, "u1-" + user, "a2-" + user, "u2-" + user, "b2-" + user);
            publishTopic("a3-" + user, a);
            assertThat(ws.next().path("id").asString()).isEqualTo("a3-" + user);
            ws.expectNoMessage(Duration.ofMillis(300));
        }
    }

    @Test
    void refusedTopicsAtConnectAreAnsweredAfterTheGreetingAndTheRestJoin() {
        String user = "mixed-" + run;
        String allowed = "list:" + user;
        try (var ws = open(Tokens.withTopics(user, "list:*"), "topics=" + allowed + ",secret:1,user:someone-else")) {
            JsonNode hello = ws.next();
            assertThat(hello.path("type").asString()).isEqualTo("connected");
            assertThat(hello.path("topics").toString()).isEqualTo("[\"" + allowed + "\"]");
            for (String refused : List.of("secret:1", "user:someone-else")) {
                JsonNode error = ws.next();
                assertThat(error.path("error").asString()).isEqualTo("Forbidden");
                assertThat(error.path("topic").asString()).isEqualTo(refused);
            }
            publishTopic("m1-" + user, allowed);
            assertThat(ws.next().path("id").asString()).isEqualTo("m1-" + user);
            // Still a normal session: subscribe messages work alongside.
            ws.send("{\"action\":\"unsubscribe\",\"topic\":\"" + allowed + "\"}");
            assertThat(ws.next().path("action").asString()).isEqualTo("unsubscribed");
        }
    }

    @Test
    void aRefusedTokenStillGetsTheUpgradeThen4001() {
        try (var ws = open("not-a-token", "topics=list:1")) {
            assertThat(ws.awaitClose().getCode()).isEqualTo(4001);
        }
    }

    private interface Race {
        boolean run(int i) throws Exception;
    }

    /** Runs {@code RACES} races, 8 at a time; returns the indexes whose event did not arrive. */
    private List<Integer> races(Race race) throws Exception {
        var missed = new ConcurrentLinkedQueue<Integer>();
        var next = new AtomicInteger();
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            workers.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < RACES; i = next.getAndIncrement()) {
                    if (!race.run(i)) {
                        missed.add(i);
                    }
                }
                return null;
            }));
        }
        for (var f : workers) {
            f.get();
        }
        return List.copyOf(missed);
    }

    private static boolean arrived(WsClient ws, String id) {
        try {
            return id.equals(ws.next(ARRIVAL).path("id").asString());
        } catch (AssertionError timeout) {
            return false;
        }
    }

    private WsClient open(String token, String query) {
        return WsClient.open(URI.create("ws://127.0.0.1:" + port + "/ws?token=" + token + "&" + query), new HttpHeaders());
    }

    private void publishTopic(String id, String topic) {
        assertThat(dapr.publish(id, Map.of("topic", topic, "event", "ADDED", "data", Map.of()))).isEqualTo("SUCCESS");
    }

    private void publishUser(String name, String user) {
        assertThat(dapr.publish(name + "-" + user, taskEvent("task.updated", user, Map.of("id", name))))
                .isEqualTo("SUCCESS");
    }
}
