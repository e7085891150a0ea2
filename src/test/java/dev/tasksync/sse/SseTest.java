package dev.tasksync.sse;

import static dev.tasksync.support.Deliveries.taskEvent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.support.Deliveries;
import dev.tasksync.support.ServiceTest;
import dev.tasksync.support.SseClient;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The SSE fallback carries the WebSocket endpoint's stream: the same JSON, event ids a browser's
 * {@code Last-Event-ID} resumes from exactly as {@code since} does, topics at connect, the same
 * admission (token, Origin, per-user limit) as HTTP errors carrying the close code, keep-alive
 * comments, and a last {@code close} event when the server ends a stream (token expiry).
 */
@ServiceTest
@TestPropertySource(properties = {
        "tasksync.sse.heartbeat-interval=1s",
        "tasksync.ws.allowed-origins=https://app.example,http://localhost",
        "tasksync.ws.max-connections-per-user=2"})
class SseTest {

    private static final String ORIGIN = "https://app.example";

    @LocalServerPort
    int port;
    @Autowired
    WebTestClient http;
    @Autowired
    io.micrometer.core.instrument.MeterRegistry metrics;

    private Deliveries dapr;
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void setUp() {
        dapr = new Deliveries(http);
    }

    @Test
    void anEventArrivesWithItsIdKindAndTheJsonTheWebSocketGets() {
        String user = "sse-same-" + run;
        double opened = opened("sse");
        try (var sse = SseClient.connect(port, "token=" + Tokens.forUser(user), Map.of());
                var ws = WsClient.connect(port, Tokens.forUser(user))) {
            assertThat(sse.status()).isEqualTo(200);
            assertThat(sse.header("content-type")).startsWith("text/event-stream");
            assertThat(sse.header("cache-control")).isEqualTo("no-cache");
            var hello = sse.next();
            assertThat(hello.event()).isEqualTo("connected");
            assertThat(hello.json().path("user_id").asString()).isEqualTo(user);
            assertThat(hello.id()).as("a greeting moves no resume point").isNull();
            assertThat(opened("sse")).as("counted by transport").isEqualTo(opened + 1);
            assertThat(ws.next().path("type").asString()).isEqualTo("connected");

            assertThat(dapr.publish("e1-" + user, taskEvent("task.created", user, Map.of("id", 7)))).isEqualTo("SUCCESS");
            var event = sse.next();
            assertThat(event.event()).isEqualTo("task_update");
            assertThat(event.id()).isEqualTo("e1-" + user);
            assertThat(event.data()).as("byte for byte what the WebSocket client got").isEqualTo(ws.nextText(Duration.ofSeconds(5)));
        }
    }

    @Test
    void anEventPublishedAsTheStreamOpensReachesIt() {
        // The stream joins before its response headers go out: publishing as soon as the client
        // sees the 200 (no since) must not lose the event. 200 races, each a fresh user.
        List<String> missed = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String user = "sse-race-" + run + "-" + i;
            try (var sse = SseClient.connect(port, "token=" + Tokens.forUser(user), Map.of())) {
                assertThat(sse.status()).isEqualTo(200);
                dapr.publish("race-" + user, taskEvent("task.updated", user, Map.of("id", i)));
                assertThat(sse.next().event()).isEqualTo("connected");
                var e = sse.poll(Duration.ofSeconds(3));
                if (e == null || !("race-" + user).equals(e.id())) {
                    missed.add(user);
                }
            }
        }
        assertThat(missed).as("events missed by a stream that had just opened").isEmpty();
    }

    @Test
    void topicsNamedAtConnectAreJoinedAndRefusedOnesAnsweredWithAnErrorEvent() {
        String user = "sse-topics-" + run;
        String mine = "list:" + user;
        try (var sse = SseClient.connect(port, "topics=" + mine + ",other:1",
                Map.of("Authorization", "Bearer " + Tokens.withTopics(user, "list:*")))) {
            var hello = sse.next();
            assertThat(hello.json().path("topics").toString()).isEqualTo("[\"" + mine + "\"]");
            var refused = sse.next();
            assertThat(refused.event()).isEqualTo("error");
            assertThat(refused.json().path("error").asString()).isEqualTo("Forbidden");
            assertThat(refused.json().path("topic").asString()).isEqualTo("other:1");

            dapr.publish("t1-" + user, Map.of("topic", mine, "event", "ADDED", "data", Map.of("n", 1)));
            var event = sse.next();
            assertThat(event.event()).isEqualTo("topic_event");
            assertThat(event.id()).isEqualTo("t1-" + user);
            assertThat(event.json().path("topic").asString()).isEqualTo(mine);
        }
    }

    @Test
    void lastEventIdResumesWithTheMissedEventsInOrderAndWinsOverSince() {
        String user = "sse-resume-" + run;
        String token = Tokens.forUser(user);
        String first = "r1-" + user;
        try (var sse = SseClient.connect(port, "token=" + token, Map.of())) {
            sse.next();
            dapr.publish(first, taskEvent("task.created", user, Map.of("id", 1)));
            assertThat(sse.next().id()).isEqualTo(first);
        }
        for (int i = 2; i <= 4; i++) {
            dapr.publish("r" + i + "-" + user, taskEvent("task.updated", user, Map.of("id", i)));
        }
        // What a browser's EventSource does on reconnect: the same URL (an old since), the header newer.
        try (var sse = SseClient.connect(port, "token=" + token + "&since=unknown-id",
                Map.of("Last-Event-ID", first))) {
            assertThat(sse.next().json().path("resumed").asBoolean()).isTrue();
            List<String> ids = new ArrayList<>();
            for (int i = 2; i <= 4; i++) {
                ids.add(sse.next().id());
            }
            assertThat(ids).containsExactly("r2-" + user, "r3-" + user, "r4-" + user);
            assertThat(sse.poll(Duration.ofMillis(300))).as("each missed event once, nothing more").isNull();
        }
        try (var sse = SseClient.connect(port, "token=" + token, Map.of("Last-Event-ID", "never-seen"))) {
            assertThat(sse.next().json().path("resumed").asBoolean()).isFalse();
            assertThat(sse.next().event()).isEqualTo("resync_required");
        }
    }

    @Test
    void refusalsAreHttpErrorsCarryingTheCloseCode() {
        try (var sse = SseClient.connect(port, "token=not-a-jwt", Map.of())) {
            assertThat(sse.status()).isEqualTo(401);
            assertThat(sse.header("content-type")).isEqualTo("application/json");
        }
        String body = http.get().uri("/sse?token=" + Tokens.expired("sse-x")).exchange()
                .expectStatus().isUnauthorized().expectBody(String.class).returnResult().getResponseBody();
        assertThat(body).contains("\"code\":4001");
        http.get().uri("/sse?token=" + Tokens.forUser("sse-x")).header("Origin", "https://evil.example").exchange()
                .expectStatus().isForbidden().expectHeader().doesNotExist("Access-Control-Allow-Origin")
                .expectBody(String.class).value(b -> assertThat(b).contains("\"code\":4003"));

        String user = "sse-limit-" + run;
        try (var a = SseClient.connect(port, "token=" + Tokens.forUser(user), Map.of("Origin", ORIGIN));
                var b = SseClient.connect(port, "token=" + Tokens.forUser(user), Map.of());
                var c = SseClient.connect(port, "token=" + Tokens.forUser(user), Map.of())) {
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.header("access-control-allow-origin")).isEqualTo(ORIGIN);
            assertThat(a.header("access-control-allow-credentials")).as("tokens are not cookies").isNull();
            assertThat(b.status()).isEqualTo(200);
            assertThat(c.status()).as("third connection of a user limited to 2").isEqualTo(429);
        }
    }

    @Test
    void preflightAllowsTheHeadersAFetchClientSendsFromAnAllowedOriginOnly() {
        http.options().uri("/sse").header("Origin", ORIGIN).header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "authorization, last-event-id").exchange()
                .expectStatus().isNoContent()
                .expectHeader().valueEquals("Access-Control-Allow-Origin", ORIGIN)
                .expectHeader().value("Access-Control-Allow-Headers", h -> assertThat(h).contains("Authorization", "Last-Event-ID"));
        http.options().uri("/sse").header("Origin", "https://evil.example").exchange().expectStatus().isForbidden();
    }

    @Test
    void anIdleStreamGetsKeepAliveComments() {
        try (var sse = SseClient.connect(port, "token=" + Tokens.forUser("sse-idle-" + run), Map.of())) {
            sse.next();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (sse.comments() < 2 && System.nanoTime() < deadline) {
                sse.poll(Duration.ofMillis(100));
            }
            assertThat(sse.comments()).as("comments within 5 s at a 1 s interval").isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void anExpiredTokenEndsTheStreamWithACloseEvent() {
        String user = "sse-expiry-" + run;
        String token = Tokens.forUser(user, b -> b.expirationTime(new Date(System.currentTimeMillis() + 2_000)));
        try (var sse = SseClient.connect(port, "token=" + token, Map.of())) {
            sse.next();
            var close = sse.next(Duration.ofSeconds(6));
            assertThat(close.event()).isEqualTo("close");
            assertThat(close.json().path("code").asInt()).isEqualTo(4001);
            assertThat(close.json().path("reason").asString()).contains("expired");
            assertThat(sse.endsWithin(Duration.ofSeconds(3))).as("the stream ends after its close event").isTrue();
        }
    }

    private double opened(String transport) {
        var c = metrics.find("tasksync.connections.opened").tag("transport", transport).counter();
        return c == null ? 0 : c.count();
    }
}
