package dev.tasksync.ws;

import dev.tasksync.fanout.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;

/**
 * Complete WebSocket frames (RFC 6455 §5.2) as shared buffers. Server frames are unmasked, so a
 * frame is the same bytes for every recipient: it is built once per event and each connection
 * writes a duplicate of it (its own indexes, the same memory). The memory is a JDK direct buffer
 * freed by the garbage collector once no frame (history included) refers to it, so no reference
 * counting crosses connections; each write passes a retained duplicate that the channel releases.
 */
final class WsFrames {

    /** A frame's WebSocket text frame: what every WebSocket recipient writes. */
    static final Frame.Wire<ByteBuf> TEXT = new Frame.Wire<>(WsFrames::text);

    /** Server ping with a constant payload (pongs only prove liveness). */
    static final ByteBuf PING = frame(0x89, "tasksync".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

    private WsFrames() {
    }

    static ByteBuf text(byte[] payload) {
        return frame(0x81, payload);
    }

    private static ByteBuf frame(int finAndOpcode, byte[] payload) {
        int n = payload.length;
        int header = n < 126 ? 2 : n < 65_536 ? 4 : 10;
        ByteBuffer b = ByteBuffer.allocateDirect(header + n);
        b.put((byte) finAndOpcode);
        if (n < 126) {
            b.put((byte) n);
        } else if (n < 65_536) {
            b.put((byte) 126).putShort((short) n);
        } else {
            b.put((byte) 127).putLong(n);
        }
        b.put(payload).flip();
        // Unpooled.wrappedBuffer over a JDK buffer never frees it itself: the JDK's cleaner does.
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(b));
    }
}
