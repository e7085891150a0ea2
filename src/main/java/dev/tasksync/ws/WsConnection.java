package dev.tasksync.ws;

import dev.tasksync.auth.UserPrincipal;
import dev.tasksync.fanout.Frame;
import dev.tasksync.fanout.Recipient;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.springframework.web.reactive.socket.CloseStatus;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One WebSocket connection's outbound side. Frames are written straight to the Netty channel on
 * its event loop, as shared pre-built WebSocket frames ({@link WsFrames}); there is no queue of
 * our own: Netty's outbound buffer is the queue, bounded by a frame count and a byte size, and a
 * connection that lets it overflow is closed as a slow consumer (4008) instead of buffering
 * without bound. Every write runs as a task on the event loop, so writes keep the order in which
 * they were offered, whichever thread offered them.
 */
final class WsConnection implements Recipient {

    /** Marks a WebSocket ping (compared by identity). */
    static final Frame PING = Frame.untimed(new byte[0]);

    /** What the connection reports about itself (metrics). */
    interface Events {
        /** A live frame is being written: the delivery latency is taken here. */
        void written(Frame frame);

        /** A frame accepted earlier was not written: the connection overflowed or closed. */
        void dropped();

        /** The server decided to close the connection, once, with {@code status}. */
        void closing(CloseStatus status);
    }

    private final String id;
    private volatile UserPrincipal principal;
    private final Channel channel;
    private final Executor loop;
    private final int maxQueuedFrames;
    private final long maxQueuedBytes;
    private final Events events;
    // Non-null when the client negotiated permessage-deflate: events go out compressed (shared frames).
    private final PerMessageDeflate deflate;
    private final Set<String> topics = ConcurrentHashMap.newKeySet();
    private final Sinks.One<CloseStatus> closeSignal = Sinks.one();
    private volatile boolean closed;
    // Event loop only: the close frame has been sent, nothing may follow it.
    private boolean closeSent;
    // Event loop only: frames offered before the upgrade completed (the connection joins its streams
    // before the 101 response goes out, so nothing published meanwhile is missed); null once upgraded.
    private java.util.ArrayDeque<Frame> beforeUpgrade = new java.util.ArrayDeque<>(4);
    private volatile CloseStatus closeRequested;
    // Set once at join: where live delivery began, and the client's resume point (if honoured).
    private volatile long joinedSeq;
    private volatile Long resumeFrom;
    // Liveness: any inbound frame (pongs included) counts; read by the heartbeat, written by the session.
    private volatile long lastSeenNanos = System.nanoTime();
    // 0 until the first heartbeat, which picks a random first ping time (see heartbeat()).
    private volatile long nextPingNanos;
    // Token bucket for client messages; only the session's inbound side touches it.
    private double tokens = -1;
    private long refilledNanos;

    WsConnection(String id, UserPrincipal principal, Channel channel, int maxQueuedFrames, long maxQueuedBytes,
            PerMessageDeflate deflate, Events events) {
        this.deflate = deflate;
        this.id = id;
        this.principal = principal;
        this.channel = channel;
        this.loop = channel.eventLoop();
        this.maxQueuedFrames = maxQueuedFrames;
        this.maxQueuedBytes = maxQueuedBytes;
        this.events = events;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String userId() {
        return principal.userId();
    }

    UserPrincipal principal() {
        return principal;
    }

    /** Swaps in a fresh principal (same user) after {@code {"type":"auth"}}: extends the connection's life. */
    void reauthenticated(UserPrincipal fresh) {
        this.principal = fresh;
    }

    void seen(long nowNanos) {
        lastSeenNanos = nowNanos;
    }

    /**
     * Takes one message from the bucket; false when the client exceeded {@code rate}/s with
     * {@code burst} headroom.
     */
    boolean allowMessage(long nowNanos, int rate, int burst) {
        if (tokens < 0) {
            tokens = burst;
            refilledNanos = nowNanos;
        }
        tokens = Math.min(burst, tokens + (nowNanos - refilledNanos) * rate / 1e9);
        refilledNanos = nowNanos;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }

    /**
     * Periodic check: closes the connection when its token expired or the peer went silent.
     * Returns true when a ping is due (the caller sends it, batched with other connections').
     */
    boolean heartbeat(long nowNanos, java.time.Instant now, long pingEveryNanos, long idleNanos) {
        UserPrincipal p = principal;
        if (p.expiresAt() != null && !now.isBefore(p.expiresAt())) {
            close(CloseCodes.TOKEN_EXPIRED);
        } else if (nowNanos - lastSeenNanos > idleNanos) {
            close(CloseCodes.IDLE);
        } else if (nextPingNanos == 0) {
            // Connections made together (a deploy, a reconnect storm) would otherwise all be
            // pinged in the same tick, forever: thousands of frames at once, delaying events.
            nextPingNanos = nowNanos + java.util.concurrent.ThreadLocalRandom.current().nextLong(pingEveryNanos);
        } else if (nowNanos >= nextPingNanos && !closed) {
            nextPingNanos = nowNanos + pingEveryNanos;
            return true;
        }
        return false;
    }

    @Override
    public Set<String> topics() {
        return topics;
    }

    /** Sends a reply to this client (not a fan-out event: no latency measurement). */
    boolean offer(byte[] reply) {
        return offer(Frame.untimed(reply));
    }

    @Override
    public boolean offer(Frame frame) {
        if (closed) {
            return false;
        }
        loop.execute(() -> write(frame));
        return true;
    }

    @Override
    public Executor writer() {
        return loop;
    }

    @Override
    public boolean accept(Frame frame) {
        return !closed;
    }

    /** Writes {@code frame} to the channel (before the upgrade: holds it until then); on the event loop. */
    @Override
    public void write(Frame frame) {
        if (beforeUpgrade != null) {
            hold(frame);
            return;
        }
        ChannelOutboundBuffer pending = channel.unsafe().outboundBuffer();
        if (closeSent || pending == null || !channel.isActive()) {
            events.dropped();
            return;
        }
        if (pending.size() >= maxQueuedFrames || pending.totalPendingWriteBytes() > maxQueuedBytes) {
            events.dropped();
            close(CloseCodes.SLOW_CONSUMER);
            return;
        }
        ByteBuf buf = frame == PING ? WsFrames.PING.duplicate()
                : (deflate != null ? deflate.frame(frame) : frame.wire(WsFrames.TEXT)).duplicate();
        channel.writeAndFlush(buf, channel.voidPromise());
        events.written(frame);
    }

    private void hold(Frame frame) {
        if (closeRequested != null) {
            events.dropped(); // closing before it opened: only the close frame will follow
        } else if (beforeUpgrade.size() >= maxQueuedFrames) {
            events.dropped();
            close(CloseCodes.SLOW_CONSUMER);
        } else {
            beforeUpgrade.add(frame);
        }
    }

    /**
     * The upgrade completed (the 101 response is written): the frames held until now go out, in
     * order, before any offered later. Runs on the event loop (as a task when called off it).
     */
    void upgraded() {
        if (!channel.eventLoop().inEventLoop()) {
            loop.execute(this::upgraded);
            return;
        }
        var held = beforeUpgrade;
        beforeUpgrade = null;
        if (held != null) {
            for (Frame frame : held) {
                write(frame);
            }
        }
    }

    @Override
    public void goAway() {
        close(CloseCodes.GOING_AWAY);
    }

    /** Emits the status when the server decides to close this connection; completes empty when the client went first. */
    Mono<CloseStatus> closeRequests() {
        return closeSignal.asMono();
    }

    /** Asks the session to close with {@code status}; the first request wins. */
    void close(CloseStatus status) {
        closed = true;
        if (closeSignal.tryEmitValue(status).isSuccess()) {
            closeRequested = status;
            events.closing(status);
        }
    }

    /**
     * Runs {@code send} (the close frame) on the event loop after every frame offered before it,
     * and lets nothing be written after it.
     */
    Mono<Void> sendClose(java.util.function.Supplier<Mono<Void>> send) {
        return Mono.defer(() -> {
            closeSent = true;
            return send.get();
        }).subscribeOn(reactor.core.scheduler.Schedulers.fromExecutor(loop));
    }

    /** Why the server closed this connection, for metrics; null when the client went first. */
    CloseStatus closeRequested() {
        return closeRequested;
    }

    /** No more frames: the client went away. */
    void complete() {
        closed = true;
        closeSignal.tryEmitEmpty();
    }

    void joined(long seq, Long resumeFrom) {
        this.joinedSeq = seq;
        this.resumeFrom = resumeFrom;
    }

    long joinedSeq() {
        return joinedSeq;
    }

    /** Position to replay topic subscriptions from, when this connection resumed; else null. */
    Long resumeFrom() {
        return resumeFrom;
    }

    /** The connection's permessage-deflate, or null when it did not negotiate it. */
    PerMessageDeflate deflate() {
        return deflate;
    }

    boolean isClosed() {
        return closed;
    }
}
