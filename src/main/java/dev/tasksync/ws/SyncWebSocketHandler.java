package dev.tasksync.ws;

import dev.tasksync.auth.InvalidTokenException;
import dev.tasksync.auth.TokenVerifier;
import dev.tasksync.auth.UserPrincipal;
import dev.tasksync.config.WebSocketProperties;
import dev.tasksync.fanout.EventLog;
import dev.tasksync.fanout.Hub;
import dev.tasksync.ops.RateLimitedLog;
import dev.tasksync.ops.TasksyncMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import reactor.core.publisher.Mono;

/**
 * The {@code /ws} endpoint. The upgrade is always accepted so that an authentication
 * failure reaches browsers as close code 4001 (an HTTP 401 on the handshake is invisible
 * to the WebSocket API). One {@code Mono} per session composes the inbound stream, the
 * outbound queue and server-initiated closes; nothing here blocks or subscribes by hand.
 */
public final class SyncWebSocketHandler implements WebSocketHandler {

    private static final Logger log = LoggerFactory.getLogger(SyncWebSocketHandler.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final byte[] PING_PAYLOAD = "tasksync".getBytes(StandardCharsets.US_ASCII);
    private final RateLimitedLog rejections = new RateLimitedLog(log, 20, Duration.ofMinutes(1));

    private final TokenVerifier verifier;
    private final Hub hub;
    private final EventLog events;
    private final ServerMessages messages;
    private final SessionProtocol protocol;
    private final TasksyncMetrics metrics;
    private final ConnectionDrainer drainer;
    private final WebSocketProperties limits;
    private final Clock clock;
    // Connection ids: a per-process random prefix keeps them unique across replicas and restarts.
    private final String idPrefix = UUID.randomUUID().toString().substring(0, 8) + "-";
    private final AtomicLong sequence = new AtomicLong();

    public SyncWebSocketHandler(TokenVerifier verifier, Hub hub, EventLog log, ServerMessages messages,
            ClientMessageParser parser, TasksyncMetrics metrics, ConnectionDrainer drainer, WebSocketProperties limits,
            Clock clock) {
        this.verifier = verifier;
        this.hub = hub;
        this.events = log;
        this.messages = messages;
        this.protocol = new SessionProtocol(hub, log, messages, parser, metrics, verifier, limits);
        this.metrics = metrics;
        this.drainer = drainer;
        this.limits = limits;
        this.clock = clock;
    }

    @Override
    public Mono<Void> handle(WebSocketSession session) {
        if (drainer.isDraining()) {
            return close(session, CloseCodes.GOING_AWAY);
        }
        String origin = session.getHandshakeInfo().getHeaders().getOrigin();
        if (origin != null && !limits.allowedOrigins().isEmpty() && !limits.allowedOrigins().contains(origin)) {
            metrics.authFailure("origin");
            rejections.warn("WebSocket rejected: origin {} not allowed", origin);
            return close(session, CloseCodes.ORIGIN_NOT_ALLOWED);
        }
        HandshakeParams params = HandshakeParams.from(session.getHandshakeInfo());
        return verifier.verify(params.token())
                .flatMap(principal -> {
                    if (params.userId() != null && !params.userId().equals(principal.userId())) {
                        metrics.authFailure("user_mismatch");
                        rejections.warn("WebSocket rejected from {}: user_id parameter does not match the token",
                                remote(session));
                        return close(session, CloseCodes.FORBIDDEN);
                    }
                    if (hub.connectionsOf(principal.userId()) >= limits.maxConnectionsPerUser()) {
                        metrics.clientError("too_many_connections");
                        return close(session, CloseCodes.TOO_MANY_CONNECTIONS);
                    }
                    return serve(session, principal, params.since());
                })
                .onErrorResume(InvalidTokenException.class, e -> {
                    metrics.authFailure(e.reason().name().toLowerCase());
                    // The reason only: the token itself is never logged.
                    rejections.warn("WebSocket rejected from {}: {}", remote(session), e.getMessage());
                    return close(session, CloseCodes.UNAUTHORIZED);
                });
    }

    private Mono<Void> serve(WebSocketSession session, UserPrincipal principal, String since) {
        var c = new WsConnection(idPrefix + sequence.incrementAndGet(), principal, limits.outboundQueue(),
                status -> metrics.disconnected(status.getReason()));
        // Greeting, then the replay of missed events, then live ones: the log orders all three.
        var join = events.join(c, since, j -> {
            c.offer(messages.connected(principal.userId(), c.id(), clock.instant(), since == null ? null : j.resumed()));
            if (since != null && !j.resumed()) {
                c.offer(ServerMessages.RESYNC_REQUIRED);
            }
        });
        c.joined(join.seq(), join.since());

        // Frames are read out of their buffers at once (Netty releases them after onNext); only
        // token refresh is asynchronous, and concatMap keeps replies in message order. No
        // prefetch: clients send little, and a prefetch queue would cost every idle connection.
        Mono<Void> inbound = session.receive()
                .map(m -> Inbound.read(c, m))
                .concatMap(in -> handleInbound(c, in), 0)
                .then()
                .doFinally(signal -> c.complete());
        // A frame leaves the queue when Reactor Netty's sender asks for it and writes it to the
        // channel: that is the moment the delivery latency is taken (TasksyncMetrics.written).
        Mono<Void> outbound = session.send(c.frames().map(frame -> {
            if (frame == WsConnection.PING) {
                return session.pingMessage(f -> f.wrap(PING_PAYLOAD));
            }
            metrics.written(frame);
            return new WebSocketMessage(WebSocketMessage.Type.TEXT, session.bufferFactory().wrap(frame.bytes()));
        }));
        // Server-side closes (slow consumer, shutdown) send the close frame and then wait for the
        // client's answer to end the inbound side; nothing is cancelled on the normal path.
        Mono<Void> serverClose = c.closeRequests().flatMap(status -> close(session, status));
        // A peer that stops reading, or never answers our close, must not pin the session.
        Mono<Void> graceOver = c.closeRequests().flatMap(status -> Mono.delay(CLOSE_TIMEOUT))
                .switchIfEmpty(Mono.never()).then();

        return Mono.firstWithSignal(Mono.when(inbound, outbound, serverClose), graceOver)
                .onErrorResume(e -> {
                    // Abrupt disconnects surface as errors; they are normal for a long-lived socket.
                    log.debug("WebSocket {} ended with {}", c.id(), e.toString());
                    return Mono.empty();
                })
                .doFinally(signal -> {
                    c.complete();
                    hub.remove(c);
                    if (c.closeRequested() == null) {
                        metrics.disconnected("client");
                    }
                });
    }

    /** What arrived, taken out of the Netty buffer. */
    private record Inbound(WebSocketMessage.Type type, String text, long atNanos) {
        static Inbound read(WsConnection c, WebSocketMessage m) {
            long now = System.nanoTime();
            c.seen(now);
            String text = m.getType() == WebSocketMessage.Type.TEXT ? m.getPayloadAsText(StandardCharsets.UTF_8) : null;
            return new Inbound(m.getType(), text, now);
        }
    }

    private Mono<Void> handleInbound(WsConnection c, Inbound in) {
        // PING is answered by Netty; PONG frames only prove liveness (recorded in read()).
        if (in.type() == WebSocketMessage.Type.PING || in.type() == WebSocketMessage.Type.PONG || c.isClosed()
                || !protocol.admit(c, in.atNanos())) {
            return Mono.empty();
        }
        if (in.type() == WebSocketMessage.Type.BINARY) {
            protocol.onBinary(c);
            return Mono.empty();
        }
        return protocol.onText(c, in.text());
    }

    private static Object remote(WebSocketSession session) {
        var address = session.getHandshakeInfo().getRemoteAddress();
        return address == null ? "?" : address.getAddress();
    }

    private static Mono<Void> close(WebSocketSession session, CloseStatus status) {
        // A client that stopped reading may never let the close frame out; don't wait for it forever.
        return session.close(status).timeout(CLOSE_TIMEOUT, Mono.empty());
    }
}
