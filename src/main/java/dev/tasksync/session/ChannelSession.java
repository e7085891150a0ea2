package dev.tasksync.session;

import dev.tasksync.auth.UserPrincipal;
import dev.tasksync.fanout.Frame;
import dev.tasksync.fanout.Recipient;
import dev.tasksync.wire.Close;
import dev.tasksync.wire.CloseCodes;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * One client connection's outbound side, whatever its transport. Frames are written straight to
 * the Netty channel on its event loop, in a transport's shared pre-built encoding
 * ({@link #encode(Frame)}); there is no queue of our own: Netty's outbound buffer is the queue,
 * bounded by a frame count and a byte size, and a connection that lets it overflow is closed as a
 * slow consumer (4008) instead of buffering without bound. Every write runs as a task on the event
 * loop, so writes keep the order in which they were offered, whichever thread offered them.
 *
 * <p>A connection joins its streams before the transport's response (the WebSocket 101, the SSE
 * response headers) goes out, so nothing published meanwhile is missed; frames offered until
 * {@link #opened()} are held, then written in order.
 */
public abstract class ChannelSession implements Recipient {

    /** Marks a keep-alive (compared by identity): each transport writes its own (a ping, a comment). */
    public static final Frame KEEP_ALIVE = Frame.untimed(new byte[0]);

    /** What the connection reports about itself (metrics). */
    public interface Events {
        /** A live frame is being written: the delivery latency is taken here. */
        void written(Frame frame);

        /** A frame accepted earlier was not written: the connection overflowed or closed. */
        void dropped();

        /** The server decided to close the connection, once, with {@code close}. */
        void closing(Close close);

        /** An ephemeral frame (a signal) was dropped because the connection is backing up. */
        default void droppedEphemeral(Frame frame) {
        }
    }

    /** Per-connection bounds shared by the transports. */
    public record Limits(int maxQueuedFrames, long maxQueuedBytes, long keepAliveNanos) {
    }

    private final String id;
    private volatile UserPrincipal principal;
    protected final Channel channel;
    private final Executor loop;
    private final Limits limits;
    private final Events events;
    private final Set<String> topics = ConcurrentHashMap.newKeySet();
    private final Sinks.One<Close> closeSignal = Sinks.one();
    private volatile boolean closed;
    // Event loop only: the closing message has been sent, nothing may follow it.
    private boolean closeSent;
    // Event loop only: frames offered before the transport's response went out; null once opened.
    private ArrayDeque<Frame> beforeOpen = new ArrayDeque<>(4);
    private volatile Close closeRequested;
    // Set once at join: where live delivery began, and the client's resume point (if honoured).
    private volatile long joinedSeq;
    private volatile Long resumeFrom;
    // Client signals (typing, …): only the inbound side touches it.
    private final TokenBucket signals = new TokenBucket();
    // 0 until the first heartbeat, which picks a random first keep-alive time (see heartbeat()).
    private volatile long nextKeepAliveNanos;

    protected ChannelSession(String id, UserPrincipal principal, Channel channel, Limits limits, Events events) {
        this.id = id;
        this.principal = principal;
        this.channel = channel;
        this.loop = channel.eventLoop();
        this.limits = limits;
        this.events = events;
    }

    /** The transport's shared encoding of {@code frame}, written as is (a duplicate of a shared buffer, say). */
    protected abstract Object encode(Frame frame);

    /** The transport's keep-alive message. */
    protected abstract Object keepAlive();

    @Override
    public String id() {
        return id;
    }

    @Override
    public String userId() {
        return principal.userId();
    }

    public UserPrincipal principal() {
        return principal;
    }

    @Override
    public java.util.Map<String, String> info() {
        return principal.info();
    }

    /** The connection's signal rate limit; used from its inbound side only. */
    public TokenBucket signalBucket() {
        return signals;
    }

    /** Swaps in a fresh principal (same user) after a token refresh: extends the connection's life. */
    public void reauthenticated(UserPrincipal fresh) {
        this.principal = fresh;
    }

    /**
     * Periodic check: closes the connection when its token expired (or {@link #expired} says so).
     * Returns true when a keep-alive is due (the caller sends it, batched with other connections').
     */
    public boolean heartbeat(long nowNanos, Instant now) {
        UserPrincipal p = principal;
        if (p.expiresAt() != null && !now.isBefore(p.expiresAt())) {
            close(CloseCodes.TOKEN_EXPIRED);
        } else if (expired(nowNanos)) {
            return false;
        } else if (nextKeepAliveNanos == 0) {
            // Connections made together (a deploy, a reconnect storm) would otherwise all get their
            // keep-alive in the same tick, forever: thousands of frames at once, delaying events.
            nextKeepAliveNanos = nowNanos + ThreadLocalRandom.current().nextLong(limits.keepAliveNanos());
        } else if (nowNanos >= nextKeepAliveNanos && !closed) {
            nextKeepAliveNanos = nowNanos + limits.keepAliveNanos();
            return true;
        }
        return false;
    }

    /** A transport's own liveness rule (e.g. a silent WebSocket peer); true when it closed the connection. */
    protected boolean expired(long nowNanos) {
        return false;
    }

    @Override
    public Set<String> topics() {
        return topics;
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

    /** Writes {@code frame} to the channel (before {@link #opened()}: holds it until then); on the event loop. */
    @Override
    public void write(Frame frame) {
        if (beforeOpen != null) {
            hold(frame);
            return;
        }
        if (closeSent || !channel.isActive()) {
            events.dropped();
            return;
        }
        if (frame.isEphemeral() && backingUp()) {
            events.droppedEphemeral(frame); // signals go first, long before events would
            return;
        }
        if (overflowing()) {
            events.dropped();
            close(CloseCodes.SLOW_CONSUMER);
            return;
        }
        channel.writeAndFlush(frame == KEEP_ALIVE ? keepAlive() : encode(frame), channel.voidPromise());
        events.written(frame);
    }

    /** Whether the channel holds more unwritten frames or bytes than this connection may have. */
    protected boolean overflowing() {
        ChannelOutboundBuffer pending = channel.unsafe().outboundBuffer();
        // No outbound buffer of its own (an HTTP/2 stream's channel): the transport overrides this.
        return pending != null && (pending.size() >= limits.maxQueuedFrames()
                || pending.totalPendingWriteBytes() > limits.maxQueuedBytes());
    }

    /**
     * Whether the connection is falling behind: Netty reports it unwritable, or a quarter of its
     * frame or byte bound is taken. Ephemeral frames are dropped from here on.
     */
    protected boolean backingUp() {
        if (!channel.isWritable()) {
            return true;
        }
        ChannelOutboundBuffer pending = channel.unsafe().outboundBuffer();
        return pending != null && (pending.size() >= limits.maxQueuedFrames() / 4
                || pending.totalPendingWriteBytes() > limits.maxQueuedBytes() / 4);
    }

    protected Limits limits() {
        return limits;
    }

    private void hold(Frame frame) {
        if (frame.isEphemeral()) {
            events.droppedEphemeral(frame); // not open yet: a late signal is worth nothing
        } else if (closeRequested != null) {
            events.dropped(); // closing before it opened: only the closing message will follow
        } else if (beforeOpen.size() >= limits.maxQueuedFrames()) {
            events.dropped();
            close(CloseCodes.SLOW_CONSUMER);
        } else {
            beforeOpen.add(frame);
        }
    }

    /**
     * The transport's response is written (the 101, the SSE headers): the frames held until now go
     * out, in order, before any offered later. Runs on the event loop (as a task when called off it).
     */
    public void opened() {
        if (!channel.eventLoop().inEventLoop()) {
            loop.execute(this::opened);
            return;
        }
        var held = beforeOpen;
        beforeOpen = null;
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

    /** Emits the reason when the server decides to close this connection; completes empty when the client went first. */
    public Mono<Close> closeRequests() {
        return closeSignal.asMono();
    }

    /** Asks the session to close with {@code close}; the first request wins. */
    public void close(Close close) {
        closed = true;
        if (closeSignal.tryEmitValue(close).isSuccess()) {
            closeRequested = close;
            events.closing(close);
        }
    }

    /**
     * Runs {@code send} (the closing message) on the event loop after every frame offered before it,
     * and lets nothing be written after it.
     */
    public Mono<Void> sendClose(Supplier<Mono<Void>> send) {
        return Mono.defer(() -> {
            closeSent = true;
            return send.get();
        }).subscribeOn(Schedulers.fromExecutor(loop));
    }

    /** Why the server closed this connection, for metrics; null when the client went first. */
    public Close closeRequested() {
        return closeRequested;
    }

    /** No more frames: the client went away. */
    public void complete() {
        closed = true;
        closeSignal.tryEmitEmpty();
    }

    public void joined(long seq, Long resumeFrom) {
        this.joinedSeq = seq;
        this.resumeFrom = resumeFrom;
    }

    public long joinedSeq() {
        return joinedSeq;
    }

    /** Position to replay topic subscriptions from, when this connection resumed; else null. */
    public Long resumeFrom() {
        return resumeFrom;
    }

    public boolean isClosed() {
        return closed;
    }
}
