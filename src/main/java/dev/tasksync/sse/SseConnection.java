package dev.tasksync.sse;

import dev.tasksync.auth.UserPrincipal;
import dev.tasksync.fanout.Frame;
import dev.tasksync.session.ChannelSession;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;

/**
 * One SSE stream: frames go out as shared pre-built SSE events ({@link SseFrames}), keep-alives
 * as comment lines. A buffer is written as is: over HTTP/1.1 Netty's encoder makes it a chunk,
 * over HTTP/2 Reactor Netty's stream bridge makes it a DATA frame.
 */
final class SseConnection extends ChannelSession {

    private final boolean http2;

    SseConnection(String id, UserPrincipal principal, Channel channel, Limits limits, Events events) {
        super(id, principal, channel, limits, events);
        this.http2 = channel instanceof Http2StreamChannel;
    }

    @Override
    protected Object encode(Frame frame) {
        return content(frame.wire(SseFrames.EVENT));
    }

    @Override
    protected Object keepAlive() {
        return content(SseFrames.KEEP_ALIVE);
    }

    /** A shared buffer as this stream writes it: a duplicate (its own indexes, the same memory). */
    Object content(ByteBuf shared) {
        return shared.duplicate();
    }

    @Override
    protected boolean overflowing() {
        if (!http2) {
            return super.overflowing();
        }
        // An HTTP/2 stream's channel has no outbound buffer to count: what it holds beyond its
        // flow-control window shows as the bytes it needs to write before it is writable again.
        return !channel.isWritable() && channel.bytesBeforeWritable() > limits().maxQueuedBytes();
    }
}
