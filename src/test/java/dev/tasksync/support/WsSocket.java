package dev.tasksync.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The by-hand WebSocket under {@link RawWsClient} and {@link DeflateWsClient}: the upgrade on a
 * bare socket and reading one frame at a time, so that tests control (and see) every byte.
 */
final class WsSocket implements AutoCloseable {

    /** One data or control frame as received. */
    public record Received(boolean compressed, int opcode, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The close code of a close frame. */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }
    }

    final Socket socket;
    final InputStream in;
    final OutputStream out;
    /** The 101 response's headers, by lower-case name. */
    final Map<String, String> headers;

    private WsSocket(Socket socket, Map<String, String> headers) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.headers = headers;
    }

    /**
     * Upgrades {@code /ws?token=…}; {@code receiveBuffer} > 0 shrinks the socket's receive window,
     * {@code extraHeaders} are complete header lines ("Name: value\r\n…").
     */
    static WsSocket open(int port, String token, int receiveBuffer, int soTimeoutMillis, String extraHeaders)
            throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(soTimeoutMillis);
        String key = Base64.getEncoder().encodeToString("by-hand-client-1".getBytes(StandardCharsets.US_ASCII));
        OutputStream out = s.getOutputStream();
        out.write(("GET /ws?token=" + token + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
                + extraHeaders + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String[] lines = HttpHead.read(s.getInputStream()).split("\r\n");
        if (!lines[0].startsWith("HTTP/1.1 101")) {
            s.close();
            throw new IOException("upgrade refused: " + lines[0]);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(), lines[i].substring(colon + 1).trim());
            }
        }
        return new WsSocket(s, headers);
    }

    /** The next frame, or null when the connection ended. */
    Received read() throws IOException {
        int b0 = in.read();
        if (b0 < 0) {
            return null;
        }
        int b1 = in.read();
        long len = b1 & 0x7f;
        if (len == 126) {
            len = (in.read() << 8) | in.read();
        } else if (len == 127) {
            len = 0;
            for (int i = 0; i < 8; i++) {
                len = (len << 8) | in.read();
            }
        }
        return new Received((b0 & 0x40) != 0, b0 & 0x0f, in.readNBytes((int) len));
    }

    /** Sends one masked frame as given (first byte: FIN, RSV and opcode). */
    void write(int firstByte, byte[] payload) throws IOException {
        var frame = new java.io.ByteArrayOutputStream();
        frame.write(firstByte);
        int n = payload.length;
        if (n < 126) {
            frame.write(0x80 | n);
        } else if (n < 65_536) {
            frame.write(0x80 | 126);
            frame.write(n >>> 8);
            frame.write(n & 0xff);
        } else {
            frame.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) {
                frame.write((int) ((long) n >>> (8 * i)) & 0xff);
            }
        }
        byte[] mask = {1, 2, 3, 4};
        frame.write(mask);
        for (int i = 0; i < n; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
