package dev.tasksync.ws;

import dev.tasksync.auth.InvalidTokenException;
import dev.tasksync.auth.TokenVerifier;
import dev.tasksync.auth.UserPrincipal;
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
    private final RateLimitedLog rejections = new RateLimitedLog(log, 20, Duration.ofMinutes(1));

    private final TokenVerifier verifier;
    private final Hub hub;
    private final EventLog events;
    private final ServerMessages messages;
    private final SessionProtocol protocol;
    private final TasksyncMetrics metrics;
    private final ConnectionDrainer drainer;
    private final int outboundQueue;
    private final Clock clock;
    // Connection ids: a per-process random prefix keeps them unique across replicas and restarts.
    private final String idPrefix = UUID.randomUUID().toString().substring(0, 8) + "-";
    private final AtomicLong sequence = new AtomicLong();

    public SyncWebSocketHandler(TokenVerifier verifier, Hub hub, EventLog log, ServerMessages messages,
            ClientMessageParser parser,
            TasksyncMetrics metrics, ConnectionDrainer drainer, int outboundQueue, int maxTopicLength, Clock clock) {
        this.verifier = verifier;
        this.hub = hub;
        this.events = log;
        this.messages = messages;
        this.protocol = new SessionProtocol(hub, log, messages, parser, metrics, maxTopicLength);
        this.metrics = metrics;
        this.drainer = drainer;
        this.outboundQueue = outboundQueue;
        this.clock = clock;
    }

    @Override
    public Mono<Void> handle(WebSocketSession session) {
        if (drainer.isDraining()) {
            return close(session, CloseCodes.GOING_AWAY);
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
        var c = new WsConnection(idPrefix + sequence.incrementAndGet(), principal, outboundQueue);
        // Greeting, then the replay of missed events, then live ones: the log orders all three.
        var join = events.join(c, since, j -> {
            c.offer(messages.connected(principal.userId(), c.id(), clock.instant(), since == null ? null : j.resumed()));
            if (since != null && !j.resumed()) {
                c.offer(ServerMessages.RESYNC_REQUIRED);
            }
        });
        c.joined(join.seq(), join.since());

        Mono<Void> inbound = session.receive()
                .doOnNext(m -> onMessage(c, m))
                .then()
                .doFinally(signal -> c.complete());
        Mono<Void> outbound = session.send(c.frames()
                .map(frame -> new WebSocketMessage(WebSocketMessage.Type.TEXT, session.bufferFactory().wrap(frame))));
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
                });
    }

    private void onMessage(WsConnection c, WebSocketMessage m) {
        switch (m.getType()) {
            case TEXT -> protocol.onText(c, m.getPayloadAsText(StandardCharsets.UTF_8));
            case BINARY -> protocol.onBinary(c);
            default -> {
                // PING is answered by Netty; PONG frames are liveness only.
            }
        }
    }

    private static Object remote(WebSocketSession session) {
        var address = session.getHandshakeInfo().getRemoteAddress();
        return address == null ? "?" : address.getAddress();
    }

    private static Mono<Void> close(WebSocketSession session, org.springframework.web.reactive.socket.CloseStatus status) {
        // A client that stopped reading may never let the close frame out; don't wait for it forever.
        return session.close(status).timeout(CLOSE_TIMEOUT, Mono.empty());
    }
}
