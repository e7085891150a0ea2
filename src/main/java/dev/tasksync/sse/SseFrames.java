package dev.tasksync.sse;

import dev.tasksync.fanout.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Server-Sent Events (the HTML standard's {@code text/event-stream}) as shared buffers: an event
 * is {@code id:}, {@code event:} and one {@code data:} line (the JSON is always one line: Jackson
 * escapes line breaks in strings), built once per frame and written by every SSE recipient as a
 * duplicate, like {@code ws.WsFrames}.
 */
final class SseFrames {

    /** A frame as one SSE event: what every SSE recipient writes. */
    static final Frame.Wire<ByteBuf> EVENT = new Frame.Wire<>("sse", SseFrames::event);

    /** A comment line: ignored by clients, keeps the stream (and proxies' idle timers) alive. */
    static final ByteBuf KEEP_ALIVE = shared(": ping\n\n".getBytes(StandardCharsets.US_ASCII));

    private static final byte[] ID = "id: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT_FIELD = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);

    private SseFrames() {
    }

    static ByteBuf event(Frame frame) {
        return shared(encode(frame, null));
    }

    /** {@code frame} as an event whose {@code retry:} field sets the client's reconnection delay. */
    static ByteBuf withRetry(Frame frame, long retryMillis) {
        return shared(encode(frame, "retry: " + retryMillis + "\n"));
    }

    private static byte[] encode(Frame frame, String prefix) {
        byte[] id = fieldSafe(frame.id()) ? frame.id().getBytes(StandardCharsets.UTF_8) : null;
        byte[] event = (frame.event() == null ? "message" : frame.event()).getBytes(StandardCharsets.US_ASCII);
        byte[] pre = prefix == null ? new byte[0] : prefix.getBytes(StandardCharsets.US_ASCII);
        byte[] data = frame.bytes();
        int n = pre.length + (id == null ? 0 : ID.length + id.length + 1) + EVENT_FIELD.length + event.length + 1
                + DATA.length + data.length + 2;
        var b = java.nio.ByteBuffer.allocate(n).put(pre);
        if (id != null) {
            b.put(ID).put(id).put((byte) '\n');
        }
        b.put(EVENT_FIELD).put(event).put((byte) '\n').put(DATA).put(data).put((byte) '\n').put((byte) '\n');
        return b.array();
    }

    /**
     * Whether {@code id} can be an {@code id:} field: a line break would end the field and let the
     * rest of a publisher-chosen CloudEvent id inject fields, so such an event goes without one (the
     * client then resumes from the event before it).
     */
    static boolean fieldSafe(String id) {
        if (id == null) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char ch = id.charAt(i);
            if (ch == '\n' || ch == '\r' || ch == 0) {
                return false;
            }
        }
        return true;
    }

    private static ByteBuf shared(byte[] bytes) {
        // Shared by every connection: releasing a write's duplicate must not free it.
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(bytes));
    }
}
