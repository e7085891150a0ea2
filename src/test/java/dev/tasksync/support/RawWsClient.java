package dev.tasksync.support;

import java.io.IOException;

/**
 * A WebSocket client on a bare socket that does only the handshake and then nothing on its
 * own: it never answers pings and never reads unless asked, like a dead or stalled peer.
 */
public final class RawWsClient implements AutoCloseable {

    private final WsSocket ws;

    private RawWsClient(WsSocket ws) {
        this.ws = ws;
    }

    /** Opens {@code /ws?token=…}; {@code receiveBuffer} > 0 shrinks the socket's receive window. */
    public static RawWsClient connect(int port, String token, int receiveBuffer) throws IOException {
        return new RawWsClient(WsSocket.open(port, token, receiveBuffer, 15_000, ""));
    }

    /**
     * Reads frames until a close frame arrives and returns its status code (-1 if the
     * connection ended without one). Pings and data frames are skipped.
     */
    public int readUntilClose() throws IOException {
        for (WsSocket.Received frame = ws.read(); frame != null; frame = ws.read()) {
            if (frame.opcode() == 0x8) {
                return frame.closeCode();
            }
        }
        return -1;
    }

    /** Reads the next text frame (pings and other control frames are skipped); null when the connection ended. */
    public String readText() throws IOException {
        for (WsSocket.Received frame = ws.read(); frame != null; frame = ws.read()) {
            if (frame.opcode() == 0x8) {
                return null;
            }
            if (frame.opcode() == 0x1) {
                return frame.text();
            }
        }
        return null;
    }

    /** Sends one text frame, masked as a client must. */
    public void sendText(String text) throws IOException {
        ws.write(0x81, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws IOException {
        ws.close();
    }
}
