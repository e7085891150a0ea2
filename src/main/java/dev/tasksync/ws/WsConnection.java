package dev.tasksync.ws;

import dev.tasksync.auth.UserPrincipal;
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

    private final String id;
    private final UserPrincipal principal;
    private final int queueLimit;
    private final Set<String> topics = ConcurrentHashMap.newKeySet();
    private final AtomicInteger queued = new AtomicInteger();
    // Linked queue with a small first chunk: an idle connection holds almost nothing.
    private final Sinks.Many<byte[]> outbound = Sinks.many().unicast().onBackpressureBuffer(Queues.<byte[]>unbounded(8).get());
    private final Sinks.One<CloseStatus> closeSignal = Sinks.one();
    private volatile boolean closed;
    // Set once at join: where live delivery began, and the client's resume point (if honoured).
    private volatile long joinedSeq;
    private volatile Long resumeFrom;

    WsConnection(String id, UserPrincipal principal, int queueLimit) {
        this.id = id;
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

    @Override
    public Set<String> topics() {
        return topics;
    }

    @Override
    public boolean offer(byte[] frame) {
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
    Flux<byte[]> frames() {
        return outbound.asFlux().doOnNext(f -> queued.decrementAndGet());
    }

    /** Emits the status when the server decides to close this connection; completes empty when the client went first. */
    Mono<CloseStatus> closeRequests() {
        return closeSignal.asMono();
    }

    /** Asks the session to close with {@code status}; the first request wins. */
    void close(CloseStatus status) {
        closed = true;
        closeSignal.tryEmitValue(status);
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

    int queuedFrames() {
        return queued.get();
    }
}
