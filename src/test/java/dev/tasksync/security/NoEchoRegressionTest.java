package dev.tasksync.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tasksync.ingress.CloudEventReader;
import dev.tasksync.ingress.MalformedEventException;
import dev.tasksync.wire.ClientMessage;
import dev.tasksync.wire.ClientMessageParser;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * Findings of the fuzz tests ({@link ClientMessageParserFuzzTest}, {@link CloudEventReaderFuzzTest}),
 * kept as plain regression tests: error messages must not quote what the client/publisher sent
 * (protocol.md: "{@code details} never quotes what the client sent").
 */
class NoEchoRegressionTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SECRET_LOOKING = "attackerControlledTextThatMustNotBeEchoedBackToTheClient0123456789";

    private final ClientMessageParser parser = new ClientMessageParser(JSON);
    private final CloudEventReader reader = new CloudEventReader(JSON, Clock.systemUTC());

    /**
     * Frames too short for {@link NoEcho}'s 40-character rule: each carries a marker word, and
     * neither the marker nor the frame itself may appear in the details of the error reply.
     */
    @Test
    void shortMalformedFramesAreAnsweredWithoutEcho() {
        String marker = "Zqx7";
        for (String frame : new String[] {"ping" + marker, "{\"type\":" + marker, "[\"" + marker + "\",2]",
                "{\"" + marker + "\":tru}", "\"just a string " + marker + "\"", marker, "{\"type\":\"" + marker}) {
            var message = parser.parse(frame);
            assertThat(message).as(frame).isInstanceOf(ClientMessage.Invalid.class);
            String details = ((ClientMessage.Invalid) message).details();
            assertThat(details).as("details for " + frame).isNotBlank()
                    .doesNotContainIgnoringCase(marker).doesNotContain(frame);
        }
    }

    @Test
    void unrecognizedTokenInAFrameIsNotEchoed() {
        var message = parser.parse(SECRET_LOOKING);
        assertThat(message).isInstanceOf(ClientMessage.Invalid.class);
        assertThat(NoEcho.echoed(((ClientMessage.Invalid) message).details(), SECRET_LOOKING)).isNull();
    }

    @Test
    void unrecognizedTokenInABodyIsNotEchoed() {
        byte[] body = SECRET_LOOKING.getBytes(StandardCharsets.UTF_8);
        var e = catchThrowableOfType(MalformedEventException.class, () -> reader.read(body, MediaType.APPLICATION_JSON));
        assertThat(e.reason()).isEqualTo("invalid_json");
        assertThat(NoEcho.echoed(e.getMessage(), SECRET_LOOKING)).isNull();
    }

    @Test
    void unsupportedDataContentTypeIsNotEchoed() {
        String type = "text/" + SECRET_LOOKING;
        byte[] body = ("{\"specversion\":\"1.0\",\"id\":\"e1\",\"datacontenttype\":\"" + type
                + "\",\"data\":{\"event_type\":\"task.created\",\"user_id\":\"u1\"}}").getBytes(StandardCharsets.UTF_8);
        var e = catchThrowableOfType(MalformedEventException.class, () -> reader.read(body, MediaType.APPLICATION_JSON));
        assertThat(e.reason()).isEqualTo("content_type");
        assertThat(NoEcho.echoed(e.getMessage(), new String(body, StandardCharsets.UTF_8))).isNull();
    }
}
