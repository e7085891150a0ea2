package dev.tasksync.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tasksync.fanout.Frame;
import dev.tasksync.support.DeflateWsClient;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class PerMessageDeflateTest {

    private final PerMessageDeflate deflate = new PerMessageDeflate(new CompressionProperties(true, 6, DataSize.ofBytes(512)));

    @Test
    void offersAreRecognisedByExtensionName() {
        assertThat(PerMessageDeflate.offered("permessage-deflate; client_max_window_bits")).isTrue();
        assertThat(PerMessageDeflate.offered("x-webkit-deflate-frame, PerMessage-Deflate")).isTrue();
        assertThat(PerMessageDeflate.offered("x-webkit-deflate-frame")).isFalse();
        assertThat(PerMessageDeflate.offered(null)).isFalse();
    }

    @Test
    void anEventIsCompressedOnceAndTheFrameShared() {
        Frame frame = Frame.untimed(("{\"title\":\"" + "again ".repeat(200) + "\"}").getBytes(StandardCharsets.UTF_8));
        var first = deflate.frame(frame);
        assertThat(deflate.frame(frame)).isSameAs(first);
        assertThat(first.getByte(0) & 0xff).as("FIN, RSV1, text").isEqualTo(0xC1);
    }

    @Test
    void smallOrIncompressibleFramesGoOutAsPlainText() {
        Frame small = Frame.untimed("{\"type\":\"pong\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(deflate.frame(small)).isSameAs(small.wire(WsFrames.TEXT));
        byte[] noise = new byte[2048];
        new java.util.Random(1).nextBytes(noise);
        Frame random = Frame.untimed(java.util.Base64.getEncoder().encode(noise));
        assertThat(deflate.frame(random).getByte(0) & 0xff).isIn(0x81, 0xC1);
    }

    @Test
    void inflatesWithinTheLimitOnly() throws Exception {
        byte[] text = "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(deflate.inflate(Unpooled.wrappedBuffer(DeflateWsClient.deflate(text)), 1024)).isEqualTo("{\"type\":\"ping\"}");
        byte[] bomb = DeflateWsClient.deflate(new byte[1 << 20]);
        assertThatThrownBy(() -> deflate.inflate(Unpooled.wrappedBuffer(bomb), 64 * 1024))
                .isInstanceOf(PerMessageDeflate.TooBig.class);
    }
}
