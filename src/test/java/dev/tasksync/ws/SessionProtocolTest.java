package dev.tasksync.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.support.ServiceTest;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.WsClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** The client-to-server dialects of both seeds, topic authorization, and bad input. */
@ServiceTest
class SessionProtocolTest {

    private static final Duration QUIET = Duration.ofMillis(300);

    @LocalServerPort
    int port;

    @Test
    void bothPingDialectsGetTheirOwnPong() {
        try (var ws = WsClient.connectAs(port, "alice")) {
            ws.send("{\"type\":\"ping\"}");
            assertThat(ws.next().toString()).isEqualTo("{\"type\":\"pong\"}");
            ws.send("{\"action\":\"ping\"}");
            assertThat(ws.next().toString()).isEqualTo("{\"action\":\"pong\"}");
        }
    }

    @Test
    void subscribeAndUnsubscribeAreConfirmed() {
        try (var ws = connectWithGreeting(Tokens.withTopics("alice", "list:*", "gifts:all"))) {
            ws.send("{\"action\":\"subscribe\",\"topic\":\"list:123\"}");
            assertThat(ws.next().toString()).isEqualTo("{\"action\":\"subscribed\",\"topic\":\"list:123\"}");
            ws.send("{\"action\":\"subscribe\",\"topic\":\"gifts:all\"}");
            assertThat(ws.next().path("action").asString()).isEqualTo("subscribed");
            ws.send("{\"action\":\"subscribe\",\"topic\":\"user:alice\"}");
            assertThat(ws.next().path("topic").asString()).isEqualTo("user:alice");
            ws.send("{\"action\":\"unsubscribe\",\"topic\":\"list:123\"}");
            assertThat(ws.next().toString()).isEqualTo("{\"action\":\"unsubscribed\",\"topic\":\"list:123\"}");
        }
    }

    @Test
    void topicsNotGrantedAreForbidden() {
        try (var ws = connectWithGreeting(Tokens.withTopics("alice", "list:1"))) {
            for (String topic : new String[] {"list:2", "user:bob", "occasion:1", "list:10"}) {
                ws.send("{\"action\":\"subscribe\",\"topic\":\"" + topic + "\"}");
                JsonNode reply = ws.next();
                assertThat(reply.path("error").asString()).as(topic).isEqualTo("Forbidden");
                assertThat(reply.path("topic").asString()).isEqualTo(topic);
            }
        }
    }

    @Test
    void subscribeWithoutTopicIsAnError() {
        try (var ws = WsClient.connectAs(port, "alice")) {
            ws.send("{\"action\":\"subscribe\"}");
            assertThat(ws.next().toString()).isEqualTo("{\"error\":\"Topic is required for subscribe action\"}");
            ws.send("{\"action\":\"unsubscribe\",\"topic\":\"\"}");
            assertThat(ws.next().toString()).isEqualTo("{\"error\":\"Topic is required for unsubscribe action\"}");
        }
    }

    @Test
    void invalidJsonIsReportedAndTheConnectionStays() {
        try (var ws = WsClient.connectAs(port, "alice")) {
            ws.send("{not json");
            JsonNode reply = ws.next();
            assertThat(reply.path("error").asString()).isEqualTo("Invalid message format");
            assertThat(reply.path("details").asString()).isNotBlank().doesNotContain("not json");
            ws.send("[1,2]");
            assertThat(ws.next().path("error").asString()).isEqualTo("Invalid message format");
            ws.send("{\"type\":\"ping\"}");
            assertThat(ws.next().path("type").asString()).isEqualTo("pong");
        }
    }

    @Test
    void unknownActionsAndFieldsAreIgnored() {
        try (var ws = WsClient.connectAs(port, "alice")) {
            ws.send("{\"action\":\"dance\",\"topic\":\"x\"}");
            ws.send("{\"hello\":\"world\"}");
            ws.expectNoMessage(QUIET);
            ws.send("{\"action\":\"ping\",\"extra\":{\"nested\":true}}");
            assertThat(ws.next().path("action").asString()).isEqualTo("pong");
        }
    }

    @Test
    void binaryFramesGetAClearError() {
        try (var ws = WsClient.connectAs(port, "alice")) {
            ws.sendBinary(new byte[] {1, 2, 3});
            JsonNode reply = ws.next();
            assertThat(reply.path("error").asString()).isEqualTo("Invalid message format");
            assertThat(reply.path("details").asString()).contains("binary");
        }
    }

    @Test
    void oversizedFrameClosesOnlyThatConnection() {
        try (var bystander = WsClient.connectAs(port, "bob"); var ws = WsClient.connectAs(port, "alice")) {
            ws.send("{\"action\":\"ping\",\"pad\":\"" + "x".repeat(70 * 1024) + "\"}");
            assertThat(ws.awaitClose().getCode()).isEqualTo(1009);
            bystander.send("{\"type\":\"ping\"}");
            assertThat(bystander.next().path("type").asString()).isEqualTo("pong");
        }
    }

    @Test
    void overlongTopicIsRejectedWithoutEcho() {
        try (var ws = connectWithGreeting(Tokens.withTopics("alice", "*"))) {
            ws.send("{\"action\":\"subscribe\",\"topic\":\"" + "t".repeat(500) + "\"}");
            JsonNode reply = ws.next();
            assertThat(reply.path("error").asString()).isEqualTo("Invalid topic");
            assertThat(reply.toString()).doesNotContain("ttttt");
        }
    }

    private WsClient connectWithGreeting(String token) {
        var ws = WsClient.connect(port, token);
        assertThat(ws.next().path("type").asString()).isEqualTo("connected");
        return ws;
    }
}
