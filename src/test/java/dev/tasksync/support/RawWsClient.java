package dev.tasksync.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A WebSocket client on a bare socket that does only the handshake and then nothing on its
 * own: it never answers pings and never reads unless asked, like a dead or stalled peer.
 */
public final class RawWsClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;

    private RawWsClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
    }

    /** Opens {@code /ws?token=…}; {@code receiveBuffer} > 0 shrinks the socket's receive window. */
    public static RawWsClient connect(int port, String token, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(15_000);
        String key = Base64.getEncoder().encodeToString("raw-ws-client-16".getBytes(StandardCharsets.US_ASCII));
        OutputStream out = s.getOutputStream();
        out.write(("GET /ws?token=" + token + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        var client = new RawWsClient(s);
        String status = client.readHeaders();
        if (!status.startsWith("HTTP/1.1 101")) {
            s.close();
            throw new IOException("upgrade refused: " + status);
        }
        return client;
    }

    /**
     * Reads frames until a close frame arrives and returns its status code (-1 if the
     * connection ended without one). Pings and data frames are skipped.
     */
    public int readUntilClose() throws IOException {
        for (byte[] f = readFrame(); f != null; f = readFrame()) {
            if ((f[0] & 0x0f) == 0x8) {
                return f.length >= 3 ? ((f[1] & 0xff) << 8) | (f[2] & 0xff) : 1005;
            }
        }
        return -1;
    }

    /** Reads the next text frame (pings and other control frames are skipped); null when the connection ended. */
    public String readText() throws IOException {
        for (byte[] f = readFrame(); f != null; f = readFrame()) {
            int opcode = f[0] & 0x0f;
            if (opcode == 0x8) {
                return null;
            }
            if (opcode == 0x1) {
                return new String(f, 1, f.length - 1, StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** One unmasked server frame: its first header byte, then the payload; null at the end of the stream. */
    private byte[] readFrame() throws IOException {
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
        byte[] frame = new byte[1 + (int) len];
        frame[0] = (byte) b0;
        in.readNBytes(frame, 1, (int) len);
        return frame;
    }

    /** Sends one short (under 126 bytes) text frame, masked as a client must. */
    public void sendText(String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        if (payload.length >= 126) {
            throw new IllegalArgumentException("short frames only");
        }
        byte[] mask = {1, 2, 3, 4};
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        socket.getOutputStream().write(frame);
        socket.getOutputStream().flush();
    }

    private String readHeaders() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            sb.append((char) c);
        }
        return sb.toString().split("\r\n")[0];
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
