package dev.tasksync.ingress;

import static dev.tasksync.support.Deliveries.taskEvent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.support.Deliveries;
import dev.tasksync.support.ServiceTest;
import dev.tasksync.support.TasksyncInstance;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.WsClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The Dapr side: the subscription document and the SUCCESS/DROP contract for every kind of delivery. */
@ServiceTest
class DaprRouteTest {

    private static final MediaType CLOUDEVENTS = MediaType.parseMediaType("application/cloudevents+json");

    @LocalServerPort
    int port;
    @Autowired
    WebTestClient http;

    private Deliveries dapr;

    @BeforeEach
    void setUp() {
        dapr = new Deliveries(http);
    }

    /**
     * dapr-sdk-springboot keeps subscriptions in a JVM-wide singleton, so the document lists every
     * application context's started in this test JVM. An instance with a pubsub name of its own
     * makes its entries unambiguous: the peer topics (presence, signals), and exactly one task subscription carrying the default topic, the route and
     * the default dead-letter topic, without bulk subscribe.
     */
    @Test
    void subscribeDocumentDeclaresPubsubTopicRouteAndDeadLetter() {
        String pubsub = "taskpubsub-" + UUID.randomUUID();
        try (var app = TasksyncInstance.start(Tokens.SECRET, "--tasksync.dapr.pubsub-name=" + pubsub)) {
            JsonNode doc = JsonMapper.builder().build().readTree(WebTestClient.bindToServer()
                    .baseUrl("http://127.0.0.1:" + app.port()).build()
                    .get().uri("/dapr/subscribe").exchange().expectStatus().isOk()
                    .expectBody().returnResult().getResponseBody());
            assertThat(doc.isArray()).isTrue();
            List<JsonNode> ours = new ArrayList<>();
            List<String> peerTopics = new ArrayList<>();
            doc.forEach(s -> {
                if (pubsub.equals(s.path("pubsubName").asString())) {
                    if (s.path("topic").asString().startsWith("tasksync-")) {
                        // Presence and signals between replicas: same component, own routes, no dead letters.
                        assertThat(s.path("route").asString()).isEqualTo("/" + s.path("topic").asString());
                        assertThat(s.has("deadLetterTopic")).isFalse();
                        peerTopics.add(s.path("topic").asString());
                    } else {
                        ours.add(s);
                    }
                }
            });
            assertThat(peerTopics).containsExactlyInAnyOrder("tasksync-presence", "tasksync-signals");
            assertThat(ours).as("subscriptions of this instance (pubsub " + pubsub + ") in " + doc).singleElement()
                    .satisfies(s -> {
                        assertThat(s.path("topic").asString()).isEqualTo("task-updates");
                        assertThat(s.path("route").asString()).isEqualTo("/task-updates");
                        assertThat(s.path("deadLetterTopic").asString()).isEqualTo("task-updates-dlq");
                        assertThat(s.path("bulkSubscribe").path("enabled").asBoolean(false))
                                .as("bulk subscribe is off by default").isFalse();
                    });
        }
    }

    @Test
    void wellFormedEventsSucceed() {
        assertThat(dapr.publish(taskEvent("task.created", "alice", Map.of("id", 1)))).isEqualTo("SUCCESS");
        assertThat(dapr.publish(Map.of("topic", "list:1", "event", "ADDED", "data", Map.of()))).isEqualTo("SUCCESS");
    }

    @Test
    void rawJsonPayloadAndBase64DataAreAccepted() {
        try (var ws = WsClient.connectAs(port, "raw-user")) {
            byte[] raw = "{\"event_type\":\"task.created\",\"user_id\":\"raw-user\",\"task\":{\"id\":1}}"
                    .getBytes(StandardCharsets.UTF_8);
            assertThat(dapr.post(raw, MediaType.APPLICATION_JSON)).isEqualTo("SUCCESS");
            assertThat(ws.next().path("event").asString()).isEqualTo("task.created");

            String b64 = Base64.getEncoder().encodeToString(
                    "{\"event_type\":\"task.updated\",\"user_id\":\"raw-user\",\"task\":{\"id\":1}}".getBytes());
            byte[] ce = ("{\"specversion\":\"1.0\",\"id\":\"b64-1\",\"source\":\"s\",\"type\":\"t\","
                    + "\"data_base64\":\"" + b64 + "\"}").getBytes(StandardCharsets.UTF_8);
            assertThat(dapr.post(ce, CLOUDEVENTS)).isEqualTo("SUCCESS");
            assertThat(ws.next().path("id").asString()).isEqualTo("b64-1");
        }
    }

    @Test
    void malformedDeliveriesAreDroppedAndHarmNobody() {
        try (var ws = WsClient.connectAs(port, "bystander")) {
            assertDrop("not json at all", CLOUDEVENTS);
            assertDrop("[1,2,3]", CLOUDEVENTS);
            assertDrop("{\"specversion\":\"1.0\",\"id\":\"x\",\"source\":\"s\",\"type\":\"t\"}", CLOUDEVENTS);
            assertDrop("{\"specversion\":\"1.0\",\"source\":\"s\",\"type\":\"t\",\"data\":{}}", CLOUDEVENTS);
            assertDrop("{\"specversion\":\"1.0\",\"id\":\"x\",\"data\":42}", CLOUDEVENTS);
            assertDrop("{\"specversion\":\"1.0\",\"id\":\"x\",\"data\":{\"event_type\":\"task.created\"}}",
                    CLOUDEVENTS);
            assertDrop("{\"specversion\":\"1.0\",\"id\":\"x\",\"data\":{\"user_id\":\"bystander\"}}", CLOUDEVENTS);
            assertDrop("{\"specversion\":\"1.0\",\"id\":\"x\",\"data\":{\"topic\":\"list:1\"}}", CLOUDEVENTS);
            assertDrop("{\"specversion\":\"1.0\",\"id\":\"x\",\"datacontenttype\":\"text/plain\",\"data\":\"hi\"}",
                    CLOUDEVENTS);
            assertDrop("{\"specversion\":\"1.0\",\"id\":\"x\",\"data\":{\"event_type\":\"task.created\","
                    + "\"user_id\":\"bystander\",\"task\":\"not an object\"}}", CLOUDEVENTS);
            assertDrop("{\"event_type\":\"task.created\",\"user_id\":\"bystander\"}", MediaType.TEXT_PLAIN);
            assertDrop("", CLOUDEVENTS);
            ws.expectNoMessage(java.time.Duration.ofMillis(200));

            // The service is unharmed: the next good event still arrives.
            assertThat(dapr.publish(taskEvent("task.created", "bystander", Map.of("id", 9)))).isEqualTo("SUCCESS");
            assertThat(ws.next().path("task").path("id").asInt()).isEqualTo(9);
        }
    }

    @Test
    void oversizedBodyIsDropped() {
        String pad = "x".repeat(1_100_000);
        assertDrop("{\"specversion\":\"1.0\",\"id\":\"big\",\"data\":{\"event_type\":\"task.created\","
                + "\"user_id\":\"u\",\"task\":{\"pad\":\"" + pad + "\"}}}", CLOUDEVENTS);
    }

    @Test
    void oversizedBodyDoesNotBreakTheSidecarsConnection() throws Exception {
        // daprd reuses its connection: after a DROP for size, the next delivery must still be answered.
        byte[] big = ("{\"specversion\":\"1.0\",\"id\":\"big2\",\"data\":{\"pad\":\"" + "x".repeat(1_100_000) + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] small = "{\"specversion\":\"1.0\",\"id\":\"small2\",\"data\":{\"event_type\":\"task.created\",\"user_id\":\"u\",\"task\":{}}}"
                .getBytes(StandardCharsets.UTF_8);
        try (var socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            var out = socket.getOutputStream();
            var in = new java.io.BufferedInputStream(socket.getInputStream());
            out.write(request(big));
            out.flush();
            assertThat(readResponse(in)).contains("\"DROP\"");
            out.write(request(small));
            out.flush();
            assertThat(readResponse(in)).contains("\"SUCCESS\"");
        }
    }

    private static byte[] request(byte[] body) {
        byte[] head = ("POST /task-updates HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/cloudevents+json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = java.util.Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    /** One HTTP/1.1 response with a Content-Length body: status line, headers and body as text. */
    private static String readResponse(java.io.InputStream in) throws java.io.IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new java.io.EOFException("connection closed after: " + head);
            }
            head.append((char) b);
        }
        var m = java.util.regex.Pattern.compile("(?i)content-length:\\s*(\\d+)").matcher(head);
        assertThat(m.find()).as("Content-Length in " + head).isTrue();
        byte[] body = in.readNBytes(Integer.parseInt(m.group(1)));
        return head + new String(body, StandardCharsets.UTF_8);
    }

    @Test
    void droppedEventsAreCounted() {
        double before = dropCount("missing_user_id");
        assertDrop("{\"specversion\":\"1.0\",\"id\":\"x\",\"data\":{\"event_type\":\"task.created\"}}", CLOUDEVENTS);
        assertThat(dropCount("missing_user_id")).isEqualTo(before + 1);
    }

    @Autowired
    io.micrometer.core.instrument.MeterRegistry registry;

    private double dropCount(String reason) {
        var c = registry.find("tasksync.dapr.replies").tag("status", "DROP").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    private void assertDrop(String body, MediaType type) {
        assertThat(dapr.post(body.getBytes(StandardCharsets.UTF_8), type)).as(body.length() > 200
                ? body.substring(0, 200) : body).isEqualTo("DROP");
    }
}
