package dev.tasksync.ws;

import static dev.tasksync.support.Deliveries.taskEvent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.support.DeflateWsClient;
import dev.tasksync.support.Deliveries;
import dev.tasksync.support.ServiceTest;
import dev.tasksync.support.Tokens;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.web.reactive.server.WebTestClient;

/** permessage-deflate on the wire: negotiated when offered, events compressed once and shared, client frames inflated within bounds. */
@ServiceTest
class CompressionTest {

    /** What Chromium offers. */
    static final String BROWSER_OFFER = "permessage-deflate; client_max_window_bits";

    @LocalServerPort
    int port;
    @Autowired
    WebTestClient http;

    private Deliveries dapr;
    private String user;

    @BeforeEach
    void setUp() {
        dapr = new Deliveries(http);
        user = "deflate-" + UUID.randomUUID();
    }

    @Test
    void negotiatedWhenOfferedLargeEventsCompressedSmallOnesNot() throws Exception {
        try (var zipped = DeflateWsClient.connect(port, Tokens.forUser(user), BROWSER_OFFER);
                var plain = DeflateWsClient.connect(port, Tokens.forUser(user), null)) {
            assertThat(zipped.responseHeader("Sec-WebSocket-Extensions"))
                    .isEqualTo("permessage-deflate; server_no_context_takeover; client_no_context_takeover");
            assertThat(plain.responseHeader("Sec-WebSocket-Extensions")).isNull();
            // The greeting is below the 512-byte minimum: uncompressed on both.
            var hello = zipped.next();
            assertThat(hello.compressed()).isFalse();
            assertThat(hello.text()).contains("\"type\":\"connected\"");
            plain.next();

            String title = "Plan the quarterly review ".repeat(40); // about 1 KiB of repetitive JSON text
            publish("big", title);
            var compressed = zipped.next();
            var uncompressed = plain.next();
            assertThat(compressed.compressed()).isTrue();
            assertThat(uncompressed.compressed()).isFalse();
            assertThat(new String(DeflateWsClient.inflate(compressed.payload()), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo(uncompressed.text());
            assertThat(compressed.payload().length).isLessThan(uncompressed.payload().length / 4);

            publish("small", "short");
            assertThat(zipped.next().compressed()).isFalse();
        }
    }

    @Test
    void everyCompressingRecipientGetsTheSameBytes() throws Exception {
        try (var a = DeflateWsClient.connect(port, Tokens.forUser(user), BROWSER_OFFER);
                var b = DeflateWsClient.connect(port, Tokens.forUser(user), "permessage-deflate")) {
            a.next();
            b.next();
            publish("shared", "Shared frame ".repeat(100));
            var fromA = a.next();
            var fromB = b.next();
            assertThat(fromA.compressed()).isTrue();
            assertThat(fromA.payload()).isEqualTo(fromB.payload());
        }
    }

    @Test
    void compressedClientMessagesAreInflated() throws Exception {
        try (var ws = DeflateWsClient.connect(port, Tokens.forUser(user), BROWSER_OFFER)) {
            ws.next();
            ws.sendText("{\"type\":\"ping\"}", true);
            assertThat(ws.nextText()).isEqualTo("{\"type\":\"pong\"}");
            ws.sendText("{\"action\":\"ping\"}", false); // uncompressed messages stay allowed
            assertThat(ws.nextText()).isEqualTo("{\"action\":\"pong\"}");
        }
    }

    @Test
    void aDecompressionBombClosesWith1009() throws Exception {
        try (var ws = DeflateWsClient.connect(port, Tokens.forUser(user), BROWSER_OFFER)) {
            ws.next();
            byte[] bomb = DeflateWsClient.deflate(new byte[8 * 1024 * 1024]); // 8 MiB of zeros: about 8 KiB on the wire
            assertThat(bomb.length).isLessThan(64 * 1024);
            ws.sendFrame(0xC1, bomb);
            var close = ws.next();
            assertThat(close.opcode()).isEqualTo(0x8);
            assertThat(close.closeCode()).isEqualTo(1009);
        }
    }

    @Test
    void aCompressedFrameWithoutTheExtensionIsAProtocolError() throws Exception {
        try (var ws = DeflateWsClient.connect(port, Tokens.forUser(user), null)) {
            ws.next();
            ws.sendText("{\"type\":\"ping\"}", true);
            var close = ws.next();
            assertThat(close.opcode()).isEqualTo(0x8);
            assertThat(close.closeCode()).isEqualTo(1002);
        }
    }

    private void publish(String id, String title) {
        assertThat(dapr.publish(id + "-" + user, taskEvent("task.updated", user, Map.of("id", 1, "title", title))))
                .isEqualTo("SUCCESS");
    }
}
