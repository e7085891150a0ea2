package dev.tasksync.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A WebSocket client on a bare socket that speaks permessage-deflate (RFC 7692) by hand, so tests
 * see the bytes on the wire: which frames were compressed (RSV1), their sizes, and what they inflate to.
 */
public final class DeflateWsClient implements AutoCloseable {

    private static final byte[] TAIL = {0, 0, (byte) 0xff, (byte) 0xff};

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

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Map<String, String> responseHeaders;

    private DeflateWsClient(Socket socket, Map<String, String> responseHeaders) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.responseHeaders = responseHeaders;
    }

    /** Opens {@code /ws?token=…}, offering {@code extensions} ({@code Sec-WebSocket-Extensions}) unless null. */
    public static DeflateWsClient connect(int port, String token, String extensions) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(10_000);
        String key = Base64.getEncoder().encodeToString("deflate-client-1".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().write(("GET /ws?token=" + token + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key
                + "\r\nSec-WebSocket-Version: 13\r\nOrigin: " + WsClient.DEFAULT_ORIGIN + "\r\n"
                + (extensions == null ? "" : "Sec-WebSocket-Extensions: " + extensions + "\r\n") + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            sb.append((char) c);
        }
        String[] lines = sb.toString().split("\r\n");
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
        return new DeflateWsClient(s, headers);
    }

    /** The 101 response's header, by lower-case name, or null. */
    public String responseHeader(String name) {
        return responseHeaders.get(name.toLowerCase());
    }

    /** The next frame other than a ping. */
    public Received next() throws IOException {
        while (true) {
            int b0 = in.read();
            if (b0 < 0) {
                throw new IOException("connection ended");
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
            byte[] payload = in.readNBytes((int) len);
            int opcode = b0 & 0x0f;
            if (opcode != 0x9) {
                return new Received((b0 & 0x40) != 0, opcode, payload);
            }
        }
    }

    /** The next data frame's text, inflated when it came compressed. */
    public String nextText() throws IOException {
        Received r = next();
        return r.compressed() ? new String(inflate(r.payload()), StandardCharsets.UTF_8) : r.text();
    }

    /** Sends a masked text frame, compressed (RSV1) when {@code compress}. */
    public void sendText(String text, boolean compress) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        sendFrame(compress ? 0xC1 : 0x81, compress ? deflate(payload) : payload);
    }

    /** Sends one masked frame as given (first byte: FIN, RSV and opcode). */
    public void sendFrame(int firstByte, byte[] payload) throws IOException {
        var frame = new ByteArrayOutputStream();
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
        socket.close();
    }
}
