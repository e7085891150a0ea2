package dev.tasksync.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.support.ServiceTest;
import dev.tasksync.support.WsClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Dapr bulk subscribe: advertised on demand, one status per entry, bad entries harm no others. */
@ServiceTest
@TestPropertySource(properties = "tasksync.dapr.bulk-subscribe=true")
class BulkSubscribeTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;
    @Autowired
    WebTestClient http;

    @Test
    void subscribeDocumentAdvertisesBulk() {
        JsonNode doc = JSON.readTree(http.get().uri("/dapr/subscribe").exchange().expectStatus().isOk()
                .expectBody().returnResult().getResponseBody());
        // dapr-sdk-springboot keeps subscriptions in a JVM-wide singleton: other test contexts'
        // topics may be listed too, so look for this context's.
        assertThat(doc).anySatisfy(s -> {
            assertThat(s.path("topic").asString()).isEqualTo("task-updates");
            assertThat(s.path("route").asString()).isEqualTo("/task-updates");
            assertThat(s.path("deadLetterTopic").asString()).isEqualTo("task-updates-dlq");
            assertThat(s.path("bulkSubscribe").path("enabled").asBoolean()).isTrue();
            assertThat(s.path("bulkSubscribe").path("maxMessagesCount").asInt()).isEqualTo(BulkTaskUpdatesRoute.MAX_MESSAGES);
            assertThat(s.path("bulkSubscribe").path("maxAwaitDurationMs").asInt()).isEqualTo(BulkTaskUpdatesRoute.MAX_AWAIT_MS);
        });
    }

    @Test
    void everyEntryIsAnsweredAndDeliveredInOrder() {
        String raw = Base64.getEncoder().encodeToString(
                "{\"event_type\":\"task.deleted\",\"user_id\":\"bulk-user\",\"task\":{\"id\":3}}".getBytes(StandardCharsets.UTF_8));
        String body = """
                {"id":"batch-1","topic":"task-updates","pubsubname":"taskpubsub","type":"com.dapr.event.sent",
                 "entries":[
                  {"entryId":"a","contentType":"application/cloudevents+json","event":%s},
                  {"entryId":"b","contentType":"application/cloudevents+json","event":{"specversion":"1.0","source":"s","type":"t","data":{}}},
                  {"entryId":"c","contentType":"application/cloudevents+json","event":%s},
                  {"entryId":"d","contentType":"application/octet-stream","event":"%s"},
                  {"contentType":"application/cloudevents+json","event":%s}
                 ]}""".formatted(event("bulk-1", "task.created"), event("bulk-2", "task.updated"), raw,
                event("bulk-orphan", "task.updated"));
        try (var ws = WsClient.connectAs(port, "bulk-user")) {
            JsonNode reply = JSON.readTree(http.post().uri("/task-updates").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(body).exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody());
            assertThat(reply.path("statuses").toString()).isEqualTo(
                    "[{\"entryId\":\"a\",\"status\":\"SUCCESS\"},{\"entryId\":\"b\",\"status\":\"DROP\"},"
                            + "{\"entryId\":\"c\",\"status\":\"SUCCESS\"},{\"entryId\":\"d\",\"status\":\"SUCCESS\"}]");
            assertThat(ws.next().path("id").asString()).isEqualTo("bulk-1");
            assertThat(ws.next().path("id").asString()).isEqualTo("bulk-2");
            assertThat(ws.next().path("event").asString()).isEqualTo("task.deleted");
        }
    }

    @Test
    void singleEventsStillWorkOnTheBulkRoute() {
        String reply = new String(http.post().uri("/task-updates").contentType(MediaType.parseMediaType("application/cloudevents+json"))
                .bodyValue(event("single-1", "task.created")).exchange().expectStatus().isOk()
                .expectBody().returnResult().getResponseBody(), StandardCharsets.UTF_8);
        assertThat(reply).isEqualTo("{\"status\":\"SUCCESS\"}");
    }

    private static String event(String id, String type) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"s\",\"type\":\"t\","
                + "\"datacontenttype\":\"application/json\",\"data\":{\"event_type\":\"" + type
                + "\",\"user_id\":\"bulk-user\",\"task\":{\"id\":1}}}";
    }
}
