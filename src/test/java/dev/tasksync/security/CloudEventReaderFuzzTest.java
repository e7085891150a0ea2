package dev.tasksync.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tasksync.ingress.CloudEventReader;
import dev.tasksync.ingress.InboundEvent;
import dev.tasksync.ingress.MalformedEventException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fuzzes the Dapr delivery reader: an {@link InboundEvent} or a {@link MalformedEventException},
 * nothing else, and the exception's message never quotes the body. The first byte picks the
 * Content-Type the way the route sees it (parsed by Spring before the reader runs).
 */
class CloudEventReaderFuzzTest {

    private static final CloudEventReader READER = new CloudEventReader(JsonMapper.builder().build(),
            Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC));
    private static final MediaType[] TYPES = {
            MediaType.parseMediaType("application/cloudevents+json"), MediaType.APPLICATION_JSON, null,
            MediaType.parseMediaType("application/json;charset=UTF-8"), MediaType.TEXT_PLAIN};

    @FuzzTest(maxDuration = "60s")
    void read(FuzzedDataProvider data) {
        MediaType type = TYPES[data.consumeInt(0, TYPES.length - 1)];
        byte[] body = data.consumeRemainingAsBytes();
        try {
            InboundEvent event = READER.read(body, type);
            assertThat(event).isNotNull();
            assertThat(event.id()).isNotBlank();
        } catch (MalformedEventException e) {
            assertThat(e.reason()).isNotBlank();
            assertThat(NoEcho.echoInBytes(e.getMessage(), body, b -> message(b, type)))
                    .as("MalformedEventException quotes more than %d chars of the body: %s", NoEcho.MAX_VERBATIM, e.getMessage())
                    .isNull();
        }
    }

    /** The rejection message for a body, or null when it is accepted. */
    private static String message(byte[] body, MediaType type) {
        try {
            READER.read(body, type);
            return null;
        } catch (MalformedEventException e) {
            return e.getMessage();
        }
    }
}
