package dev.tasksync.ws;

import dev.tasksync.fanout.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * RFC 7692 permessage-deflate without per-connection compression state. Both directions are
 * negotiated without context takeover, so every message is compressed on its own: an event is
 * compressed once, and the compressed frame is shared by every connection that negotiated the
 * extension, as the uncompressed frame is by the others. The zlib streams (one deflater and one
 * inflater) belong to the thread using them, an event loop, not to connections: a connection
 * that negotiated compression costs no more memory than one that did not.
 */
final class PerMessageDeflate {

    static final String EXTENSION = "permessage-deflate";
    /** The accepted offer: both sides reset their zlib context after every message. */
    static final String RESPONSE = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";
    // RFC 7692 §7.2.1: the sender strips it from every message, the receiver appends it.
    private static final byte[] TAIL = {0, 0, (byte) 0xff, (byte) 0xff};
    /** Marks "sent uncompressed": the frame is small, or deflate did not make it smaller. */
    private static final ByteBuf UNCOMPRESSED = Unpooled.EMPTY_BUFFER;

    /** The inflated message exceeded its limit (a decompression bomb, or just too big): close 1009. */
    static final class TooBig extends Exception {
        TooBig() {
            super(null, null, false, false);
        }
    }

    private final int level;
    private final int minSize;
    private final Frame.Wire<ByteBuf> wire;
    private final ThreadLocal<Deflater> deflaters;
    private final ThreadLocal<Inflater> inflaters = ThreadLocal.withInitial(() -> new Inflater(true));

    PerMessageDeflate(CompressionProperties props) {
        this.level = props.level();
        this.minSize = (int) props.minSize().toBytes();
        this.wire = new Frame.Wire<>("ws-deflate", this::compressedFrame);
        this.deflaters = ThreadLocal.withInitial(() -> new Deflater(level, true));
    }

    /** Whether a {@code Sec-WebSocket-Extensions} request header offers permessage-deflate. */
    static boolean offered(String extensions) {
        if (extensions == null) {
            return false;
        }
        for (String offer : extensions.split(",")) {
            int semi = offer.indexOf(';');
            String name = (semi < 0 ? offer : offer.substring(0, semi)).trim();
            if (name.equalsIgnoreCase(EXTENSION)) {
                return true;
            }
        }
        return false;
    }

    /** The WebSocket frame to write for {@code frame} to a connection that negotiated compression. */
    ByteBuf frame(Frame frame) {
        ByteBuf compressed = frame.wire(wire);
        return compressed == UNCOMPRESSED ? frame.wire(WsFrames.TEXT) : compressed;
    }

    private ByteBuf compressedFrame(Frame frame) {
        byte[] text = frame.bytes();
        if (text.length < minSize) {
            return UNCOMPRESSED;
        }
        Deflater deflater = deflaters.get();
        deflater.reset();
        deflater.setInput(text);
        var out = new ByteArrayOutputStream(text.length / 2 + 16);
        byte[] chunk = new byte[Math.min(16 * 1024, text.length + 64)];
        int n;
        do {
            n = deflater.deflate(chunk, 0, chunk.length, Deflater.SYNC_FLUSH);
            out.write(chunk, 0, n);
        } while (n == chunk.length);
        byte[] deflated = out.toByteArray();
        int length = deflated.length - TAIL.length;
        if (length <= 0 || length >= text.length) {
            return UNCOMPRESSED;
        }
        return WsFrames.compressedText(deflated, length);
    }

    /** A compressed client message (RSV1 set) as text, inflated up to {@code maxBytes}. */
    String inflate(ByteBuf payload, int maxBytes) throws TooBig, DataFormatException {
        byte[] input = new byte[payload.readableBytes() + TAIL.length];
        payload.getBytes(payload.readerIndex(), input, 0, payload.readableBytes());
        System.arraycopy(TAIL, 0, input, input.length - TAIL.length, TAIL.length);
        Inflater inflater = inflaters.get();
        inflater.reset();
        inflater.setInput(input);
        var out = new ByteArrayOutputStream(Math.min(maxBytes, input.length * 4));
        byte[] chunk = new byte[8 * 1024];
        // Bounded as it goes: a small frame that inflates to gigabytes stops at maxBytes.
        while (!inflater.finished()) {
            int n = inflater.inflate(chunk);
            if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                break;
            }
            if (out.size() + n > maxBytes) {
                throw new TooBig();
            }
            out.write(chunk, 0, n);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
