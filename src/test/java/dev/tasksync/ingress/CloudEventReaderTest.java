package dev.tasksync.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

class CloudEventReaderTest {

    private static final MediaType CE = MediaType.parseMediaType("application/cloudevents+json");
    private final CloudEventReader reader = new CloudEventReader(JsonMapper.builder().build(),
            Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));

    @Test
    void skillFormBecomesATaskEvent() {
        var e = (InboundEvent.Task) read("{\"specversion\":\"1.0\",\"id\":\"e1\",\"time\":\"2026-02-02T00:00:00Z\","
                + "\"data\":{\"event_type\":\"task.created\",\"user_id\":\"u1\",\"task\":{\"id\":5},\"extra\":1}}", CE);
        assertThat(e.id()).isEqualTo("e1");
        assertThat(e.userId()).isEqualTo("u1");
        assertThat(e.eventType()).isEqualTo("task.created");
        assertThat(e.task().path("id").asInt()).isEqualTo(5);
        assertThat(e.timestamp()).isEqualTo("2026-02-02T00:00:00Z");
    }

    @Test
    void originCarriesEventTimeAndTraceContext() {
        var o = read("{\"specversion\":\"1.0\",\"id\":\"e1\",\"time\":\"2026-02-02T01:00:00.250+01:00\","
                + "\"traceparent\":\"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\",\"tracestate\":\"k=v\","
                + "\"data\":{\"topic\":\"list:1\",\"event\":\"ADDED\"}}", CE).origin();
        assertThat(o.eventTimeMillis()).isEqualTo(Instant.parse("2026-02-02T00:00:00.250Z").toEpochMilli());
        assertThat(o.traceparent()).isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        assertThat(o.tracestate()).isEqualTo("k=v");
    }

    @Test
    void eventTimeFallsBackToReceiptWhenAbsentOrUnreadable() {
        long clockMillis = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
        for (String time : new String[] {"", ",\"time\":\"yesterday\""}) {
            var o = read("{\"specversion\":\"1.0\",\"id\":\"e1\"" + time
                    + ",\"data\":{\"topic\":\"list:1\",\"event\":\"ADDED\"}}", CE).origin();
            assertThat(o.eventTimeMillis()).as(time).isEqualTo(clockMillis);
            assertThat(o.traceparent()).isNull();
        }
        assertThat(read("{\"event_type\":\"task.deleted\",\"user_id\":\"u1\"}", MediaType.APPLICATION_JSON)
                .origin().eventTimeMillis()).isEqualTo(clockMillis);
    }

    @Test
    void rawPayloadGetsAnIdAndTheClockTime() {
        var e = (InboundEvent.Task) read("{\"event_type\":\"task.deleted\",\"user_id\":\"u1\",\"task_id\":\"9\"}",
                MediaType.APPLICATION_JSON);
        assertThat(e.id()).isNotBlank();
        assertThat(e.timestamp()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(e.task().path("id").asString()).isEqualTo("9");
    }

    @Test
    void dataAsJsonStringIsAccepted() {
        var e = read("{\"specversion\":\"1.0\",\"id\":\"e1\",\"data\":\"{\\\"topic\\\":\\\"list:1\\\","
                + "\\\"event\\\":\\\"ADDED\\\"}\"}", CE);
        assertThat(e).isInstanceOf(InboundEvent.Topic.class);
        assertThat(((InboundEvent.Topic) e).data().isNull()).isTrue();
    }

    @Test
    void malformedInputNamesItsReason() {
        assertReason("{", CE, "invalid_json");
        assertReason("{\"specversion\":\"1.0\",\"data\":{}}", CE, "missing_id");
        assertReason("{\"specversion\":\"1.0\",\"id\":\"x\"}", CE, "missing_data");
        assertReason("{\"specversion\":\"1.0\",\"id\":\"x\",\"data\":[]}", CE, "bad_data");
        assertReason("{\"specversion\":\"1.0\",\"id\":\"x\",\"data_base64\":\"!!\"}", CE, "bad_data");
        assertReason("{\"event_type\":\"task.created\"}", CE, "missing_user_id");
        assertReason("{\"user_id\":\"u\"}", CE, "missing_event_type");
        assertReason("{\"user_id\":\"u\",\"event_type\":\"task.created\",\"task\":[]}", CE, "bad_task");
        assertReason("{\"topic\":\"t\"}", CE, "missing_event");
        assertReason("{}", MediaType.APPLICATION_XML, "content_type");
    }

    @Test
    void malformedMessagesNeverQuoteThePayload() {
        assertThatThrownBy(() -> read("{\"secret-looking\": tru", CE))
                .isInstanceOf(MalformedEventException.class)
                .message().doesNotContain("secret-looking");
    }

    private InboundEvent read(String body, MediaType type) {
        return reader.read(body.getBytes(StandardCharsets.UTF_8), type);
    }

    private void assertReason(String body, MediaType type, String reason) {
        assertThatThrownBy(() -> read(body, type)).as(body)
                .isInstanceOfSatisfying(MalformedEventException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }
}
