package dev.tasksync.ws;

import dev.tasksync.auth.UserPrincipal;
import dev.tasksync.fanout.Frame;
import dev.tasksync.fanout.Recipient;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.web.reactive.socket.CloseStatus;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * One WebSocket connection's outbound side: a bounded queue of pre-encoded frames drained
 * by the session, and a close signal. Producers (the fan-out and this session's replies)
 * never block; when the queue is full the connection is closed as a slow consumer instead
 * of buffering without bound.
 */
final class WsConnection implements Recipient {

    /** Marks a WebSocket ping in the frame queue (compared by identity). */
    static final Frame PING = Frame.untimed(new byte[0]);

    private final String id;
    private volatile UserPrincipal principal;
    private final int queueLimit;
    private final Set<String> topics = ConcurrentHashMap.newKeySet();
    private final AtomicInteger queued = new AtomicInteger();
    // Linked queue with a small first chunk: an idle connection holds almost nothing.
    private final Sinks.Many<Frame> outbound = Sinks.many().unicast().onBackpressureBuffer(Queues.<Frame>unbounded(8).get());
    private final Sinks.One<CloseStatus> closeSignal = Sinks.one();
    private volatile boolean closed;
    private volatile CloseStatus closeRequested;
    private final java.util.function.Consumer<CloseStatus> onClose;
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

    /** {@code onClose} learns, once, why the server decided to close this connection (for metrics). */
    WsConnection(String id, UserPrincipal principal, int queueLimit, java.util.function.Consumer<CloseStatus> onClose) {
        this.id = id;
        this.onClose = onClose;
        this.principal = principal;
        this.queueLimit = queueLimit;
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
     * Periodic check: closes the connection when its token expired or the peer went silent,
     * and queues a ping when one is due.
     */
    void heartbeat(long nowNanos, java.time.Instant now, long pingEveryNanos, long idleNanos) {
        UserPrincipal p = principal;
        if (p.expiresAt() != null && !now.isBefore(p.expiresAt())) {
            close(CloseCodes.TOKEN_EXPIRED);
        } else if (nowNanos - lastSeenNanos > idleNanos) {
            close(CloseCodes.IDLE);
        } else if (nextPingNanos == 0) {
            // Connections made together (a deploy, a reconnect storm) would otherwise all be
            // pinged in the same tick, forever: thousands of frames at once, delaying events.
            nextPingNanos = nowNanos + java.util.concurrent.ThreadLocalRandom.current().nextLong(pingEveryNanos);
        } else if (nowNanos >= nextPingNanos) {
            nextPingNanos = nowNanos + pingEveryNanos;
            offer(PING);
        }
    }

    @Override
    public Set<String> topics() {
        return topics;
    }

    /** Queues a reply to this client (not a fan-out event: no latency measurement). */
    boolean offer(byte[] reply) {
        return offer(Frame.untimed(reply));
    }

    @Override
    public boolean offer(Frame frame) {
        if (closed) {
            return false;
        }
        if (queued.incrementAndGet() > queueLimit) {
            queued.decrementAndGet();
            close(CloseCodes.SLOW_CONSUMER);
            return false;
        }
        Sinks.EmitResult result;
        // Concurrent producers are rare and brief (one emit); spinning beats parking here.
        while ((result = outbound.tryEmitNext(frame)) == Sinks.EmitResult.FAIL_NON_SERIALIZED) {
            Thread.onSpinWait();
        }
        if (result.isFailure()) {
            queued.decrementAndGet();
            return false;
        }
        return true;
    }

    @Override
    public void goAway() {
        close(CloseCodes.GOING_AWAY);
    }

    /** Frames in the order they were offered; each leaves the count when handed to the socket. */
    Flux<Frame> frames() {
        return outbound.asFlux().doOnNext(f -> queued.decrementAndGet());
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
            onClose.accept(status);
        }
    }

    /** Why the server closed this connection, for metrics; null when the client went first. */
    CloseStatus closeRequested() {
        return closeRequested;
    }

    /** Ends the outbound stream after the client went away. */
    void complete() {
        closed = true;
        closeSignal.tryEmitEmpty();
        while (outbound.tryEmitComplete() == Sinks.EmitResult.FAIL_NON_SERIALIZED) {
            Thread.onSpinWait();
        }
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

    boolean isClosed() {
        return closed;
    }
}
