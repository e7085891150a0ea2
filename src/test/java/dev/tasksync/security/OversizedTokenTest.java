package dev.tasksync.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.support.ServiceTest;
import dev.tasksync.support.WsClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Token-stuffing leftovers: a 1 MB token in the query string or in the Authorization header is
 * refused at the HTTP layer (Netty's 16 KB request-line/header limits, application.yaml), before
 * any WebSocket upgrade or token parsing, and the service keeps serving everybody else.
 */
@ServiceTest
class OversizedTokenTest {

    private static final int ONE_MB = 1024 * 1024;

    @LocalServerPort
    int port;

    private final String user = "oversized-" + UUID.randomUUID();

    @AfterEach
    void serviceStillServesOthers() {
        try (var ws = WsClient.connectAs(port, user)) {
            ws.send("{\"type\":\"ping\"}");
            assertThat(ws.next().path("type").asString()).isEqualTo("pong");
        }
    }

    @Test
    void oneMegabyteTokenInTheQueryStringIsRefused() throws Exception {
        String status = handshake("/ws?token=" + "A".repeat(ONE_MB), "");
        assertThat(status).as("status line").matches("HTTP/1\\.1 4\\d\\d.*");
        System.out.println("1 MB query token -> " + status);
    }

    @Test
    void oneMegabyteBearerHeaderIsRefused() throws Exception {
        String status = handshake("/ws", "Authorization: Bearer " + "A".repeat(ONE_MB) + "\r\n");
        assertThat(status).as("status line").matches("HTTP/1\\.1 (431|400) .*");
        System.out.println("1 MB bearer header -> " + status);
    }

    /**
     * Sends a WebSocket upgrade request on a bare socket while reading the reply concurrently
     * (the server answers and closes long before 1 MB is written), and returns the status line.
     */
    private String handshake(String target, String extraHeaders) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(10_000);
            String key = Base64.getEncoder().encodeToString("oversized-token!".getBytes(StandardCharsets.US_ASCII));
            byte[] request = ("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
                    + "Origin: " + WsClient.DEFAULT_ORIGIN + "\r\n" + extraHeaders + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            OutputStream out = s.getOutputStream();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int off = 0; off < request.length; off += 8192) {
                        out.write(request, off, Math.min(8192, request.length - off));
                    }
                    out.flush();
                } catch (IOException expected) {
                    // the server refused and closed mid-request
                }
            });
            String status = statusLine(s.getInputStream());
            writer.get(10, TimeUnit.SECONDS);
            return status;
        }
    }

    private static String statusLine(InputStream in) throws IOException {
        var line = new ByteArrayOutputStream();
        try {
            for (int c = in.read(); c >= 0 && c != '\n' && line.size() < 200; c = in.read()) {
                if (c != '\r') {
                    line.write(c);
                }
            }
        } catch (SocketException | SocketTimeoutException e) {
            return "no response (" + e.getMessage() + ")";
        }
        return line.size() == 0 ? "no response (closed)" : line.toString(StandardCharsets.US_ASCII);
    }
}
