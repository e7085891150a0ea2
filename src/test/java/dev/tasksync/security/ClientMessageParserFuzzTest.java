package dev.tasksync.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import dev.tasksync.wire.ClientMessage;
import dev.tasksync.wire.ClientMessageParser;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fuzzes every client text frame's parser. Without {@code JAZZER_FUZZ=1} this replays the seed
 * corpus ({@code src/test/resources/dev/tasksync/security/ClientMessageParserFuzzTestInputs/parse/})
 * as a regular test; the surefire "fuzz" execution fuzzes it for {@code maxDuration}.
 */
class ClientMessageParserFuzzTest {

    private static final ClientMessageParser PARSER = new ClientMessageParser(JsonMapper.builder().build());

    @FuzzTest(maxDuration = "60s")
    void parse(@NotNull String text) { // a text frame's payload is never null
        ClientMessage message = PARSER.parse(text); // must never throw
        assertThat(message).isNotNull();
        if (message instanceof ClientMessage.Invalid invalid) {
            assertThat(NoEcho.echoInText(invalid.details(), text, ClientMessageParserFuzzTest::details))
                    .as("Invalid.details quotes more than %d chars of the frame: %s", NoEcho.MAX_VERBATIM, invalid.details())
                    .isNull();
        }
    }

    /** What a frame's Invalid details are, or null when it parses. */
    private static String details(String text) {
        return PARSER.parse(text) instanceof ClientMessage.Invalid invalid ? invalid.details() : null;
    }
}
