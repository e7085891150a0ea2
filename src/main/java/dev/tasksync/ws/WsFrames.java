package dev.tasksync.ws;

import dev.tasksync.fanout.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;

/**
 * Complete WebSocket frames (RFC 6455 §5.2) as shared buffers. Server frames are unmasked, so a
 * frame is the same bytes for every recipient: it is built once per event and each connection
 * writes a duplicate of it (its own indexes, the same memory). The memory is an ordinary heap
 * array, freed by the garbage collector, so no reference counting crosses connections. A JDK
 * direct buffer per event was tried first: its allocation (malloc, a synchronized cleaner list)
 * cost more per event than the transport's copy into its pooled socket buffer costs per write,
 * and its cleaners lengthened young collections.
 */
final class WsFrames {

    /** A frame's WebSocket text frame: what every WebSocket recipient writes. */
    static final Frame.Wire<ByteBuf> TEXT = new Frame.Wire<>("ws-text", f -> text(f.bytes()));

    /** Server ping with a constant payload (pongs only prove liveness). */
    static final ByteBuf PING = frame(0x89, "tasksync".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

    private WsFrames() {
    }

    static ByteBuf text(byte[] payload) {
        return frame(0x81, payload, payload.length);
    }

    /** A text frame whose payload is the first {@code length} bytes of {@code deflated} (RSV1: permessage-deflate). */
    static ByteBuf compressedText(byte[] deflated, int length) {
        return frame(0xC1, deflated, length);
    }

    private static ByteBuf frame(int finAndOpcode, byte[] payload) {
        return frame(finAndOpcode, payload, payload.length);
    }

    private static ByteBuf frame(int finAndOpcode, byte[] payload, int n) {
        int header = n < 126 ? 2 : n < 65_536 ? 4 : 10;
        ByteBuffer b = ByteBuffer.allocate(header + n);
        b.put((byte) finAndOpcode);
        if (n < 126) {
            b.put((byte) n);
        } else if (n < 65_536) {
            b.put((byte) 126).putShort((short) n);
        } else {
            b.put((byte) 127).putLong(n);
        }
        b.put(payload, 0, n);
        // Shared by every connection: releasing a write's duplicate must not free it.
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(b.array()));
    }
}
