package dev.tasksync.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A WebSocket client on a bare socket that speaks permessage-deflate (RFC 7692) by hand, so tests
 * see the bytes on the wire: which frames were compressed (RSV1), their sizes, and what they inflate to.
 */
public final class DeflateWsClient implements AutoCloseable {

    private static final byte[] TAIL = {0, 0, (byte) 0xff, (byte) 0xff};

    private final WsSocket ws;

    private DeflateWsClient(WsSocket ws) {
        this.ws = ws;
    }

    /** Opens {@code /ws?token=…}, offering {@code extensions} ({@code Sec-WebSocket-Extensions}) unless null. */
    public static DeflateWsClient connect(int port, String token, String extensions) throws IOException {
        return new DeflateWsClient(WsSocket.open(port, token, 0, 10_000, "Origin: " + WsClient.DEFAULT_ORIGIN + "\r\n"
                + (extensions == null ? "" : "Sec-WebSocket-Extensions: " + extensions + "\r\n")));
    }

    /** The 101 response's header, by lower-case name, or null. */
    public String responseHeader(String name) {
        return ws.headers.get(name.toLowerCase());
    }

    /** The next frame other than a ping. */
    public WsSocket.Received next() throws IOException {
        while (true) {
            WsSocket.Received frame = ws.read();
            if (frame == null) {
                throw new IOException("connection ended");
            }
            if (frame.opcode() != 0x9) {
                return frame;
            }
        }
    }

    /** The next data frame's text, inflated when it came compressed. */
    public String nextText() throws IOException {
        WsSocket.Received r = next();
        return r.compressed() ? new String(inflate(r.payload()), StandardCharsets.UTF_8) : r.text();
    }

    /** Sends a masked text frame, compressed (RSV1) when {@code compress}. */
    public void sendText(String text, boolean compress) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        sendFrame(compress ? 0xC1 : 0x81, compress ? deflate(payload) : payload);
    }

    /** Sends one masked frame as given (first byte: FIN, RSV and opcode). */
    public void sendFrame(int firstByte, byte[] payload) throws IOException {
        ws.write(firstByte, payload);
    }

    /** Raw deflate with a sync flush, the 4-byte tail stripped (RFC 7692 §7.2.1). */
    public static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        d.setInput(data);
        var out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        int n;
        do {
            n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
            out.write(buf, 0, n);
        } while (n == buf.length);
        d.end();
        byte[] all = out.toByteArray();
        return Arrays.copyOf(all, all.length - TAIL.length);
    }

    public static byte[] inflate(byte[] payload) {
        Inflater inf = new Inflater(true);
        byte[] input = Arrays.copyOf(payload, payload.length + TAIL.length);
        System.arraycopy(TAIL, 0, input, payload.length, TAIL.length);
        inf.setInput(input);
        var out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            while (!inf.finished()) {
                int n = inf.inflate(buf);
                if (n == 0 && inf.needsInput()) {
                    break;
                }
                out.write(buf, 0, n);
            }
        } catch (DataFormatException e) {
            throw new IllegalStateException(e);
        } finally {
            inf.end();
        }
        return out.toByteArray();
    }

    @Override
    public void close() throws IOException {
        ws.close();
    }
}
