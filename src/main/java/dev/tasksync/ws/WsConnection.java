package dev.tasksync.ws;

import dev.tasksync.auth.UserPrincipal;
import dev.tasksync.fanout.Frame;
import dev.tasksync.session.ChannelSession;
import dev.tasksync.session.TokenBucket;
import dev.tasksync.wire.CloseCodes;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * One WebSocket connection: frames go out as shared pre-built WebSocket frames ({@link WsFrames}),
 * compressed ones when the client negotiated permessage-deflate; keep-alives are WebSocket pings,
 * and a peer that sends nothing (not even a pong) for the idle timeout is closed (4002).
 */
final class WsConnection extends ChannelSession {

    private final long idleNanos;
    // Non-null when the client negotiated permessage-deflate: events go out compressed (shared frames).
    private final PerMessageDeflate deflate;
    // Liveness: any inbound frame (pongs included) counts; read by the heartbeat, written by the session.
    private volatile long lastSeenNanos = System.nanoTime();
    // Client messages; only the session's inbound side touches it.
    private final TokenBucket messages = new TokenBucket();

    WsConnection(String id, UserPrincipal principal, Channel channel, Limits limits, long idleNanos,
            PerMessageDeflate deflate, Events events) {
        super(id, principal, channel, limits, events);
        this.idleNanos = idleNanos;
        this.deflate = deflate;
    }

    @Override
    protected Object encode(Frame frame) {
        return (deflate != null ? deflate.frame(frame) : frame.wire(WsFrames.TEXT)).duplicate();
    }

    @Override
    protected Object keepAlive() {
        return WsFrames.PING.duplicate();
    }

    @Override
    protected boolean expired(long nowNanos) {
        if (nowNanos - lastSeenNanos > idleNanos) {
            close(CloseCodes.IDLE);
            return true;
        }
        return false;
    }

    void seen(long nowNanos) {
        lastSeenNanos = nowNanos;
    }

    /**
     * Takes one message from the bucket; false when the client exceeded {@code rate}/s with
     * {@code burst} headroom.
     */
    boolean allowMessage(long nowNanos, int rate, int burst) {
        return messages.take(nowNanos, rate, burst);
    }

    /** The connection's permessage-deflate, or null when it did not negotiate it. */
    PerMessageDeflate deflate() {
        return deflate;
    }
}
