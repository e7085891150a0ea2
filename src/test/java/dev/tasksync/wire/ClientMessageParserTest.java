package dev.tasksync.wire;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class ClientMessageParserTest {

    private final ClientMessageParser parser = new ClientMessageParser(JsonMapper.builder().build());

    @Test
    void recognisesBothDialects() {
        assertThat(parser.parse("{\"type\":\"ping\"}")).isEqualTo(new ClientMessage.Ping(false));
        assertThat(parser.parse("{\"action\":\"ping\"}")).isEqualTo(new ClientMessage.Ping(true));
        assertThat(parser.parse("{\"action\":\"subscribe\",\"topic\":\"a\"}")).isEqualTo(new ClientMessage.Subscribe("a", null));
        assertThat(parser.parse("{\"action\":\"unsubscribe\"}")).isEqualTo(new ClientMessage.Unsubscribe(null));
        assertThat(parser.parse("{\"action\":\"subscribe\",\"topic\":7}")).isEqualTo(new ClientMessage.Subscribe(null, null));
    }

    @Test
    void unknownIsIgnoredAndNonObjectsAreInvalid() {
        assertThat(parser.parse("{\"action\":\"x\"}")).isInstanceOf(ClientMessage.Ignored.class);
        assertThat(parser.parse("{\"type\":\"x\"}")).isInstanceOf(ClientMessage.Ignored.class);
        assertThat(parser.parse("{}")).isInstanceOf(ClientMessage.Ignored.class);
        assertThat(parser.parse("42")).isInstanceOf(ClientMessage.Invalid.class);
        assertThat(parser.parse("")).isInstanceOf(ClientMessage.Invalid.class);
        assertThat(parser.parse("{\"a\":")).isInstanceOf(ClientMessage.Invalid.class);
    }
}
