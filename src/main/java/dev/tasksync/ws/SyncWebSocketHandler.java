package dev.tasksync.ws;

import dev.tasksync.auth.InvalidTokenException;
import dev.tasksync.auth.TokenVerifier;
import dev.tasksync.auth.UserPrincipal;
import dev.tasksync.config.WebSocketProperties;
import dev.tasksync.fanout.EventLog;
import dev.tasksync.fanout.Frame;
import dev.tasksync.fanout.Hub;
import dev.tasksync.ops.RateLimitedLog;
import dev.tasksync.ops.TasksyncMetrics;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.reactive.socket.CloseStatus;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * The {@code /ws} endpoint's sessions. The client is admitted (token, origin, limits) before the
 * upgrade, but the upgrade is always accepted so that a refusal reaches browsers as a close code
 * such as 4001 (an HTTP 401 on the handshake is invisible to the WebSocket API). One {@code Mono}
 * per session composes the inbound stream and server-initiated closes; outbound frames are written
 * to the channel directly ({@link WsConnection}); nothing here blocks or subscribes by hand.
 */
public final class SyncWebSocketHandler {

    private static final Logger log = LoggerFactory.getLogger(SyncWebSocketHandler.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private final RateLimitedLog rejections = new RateLimitedLog(log, 20, Duration.ofMinutes(1));

    /** The outcome of admission: a principal to serve, or the close status to refuse with. */
    record Admission(HandshakeParams params, UserPrincipal principal, CloseStatus refusal) {
    }

    private final TokenVerifier verifier;
    private final Hub hub;
    private final EventLog events;
    private final ServerMessages messages;
    private final SessionProtocol protocol;
    private final TasksyncMetrics metrics;
    private final ConnectionDrainer drainer;
    private final WebSocketProperties limits;
    private final int maxFrameBytes;
    // Null when compression is off: no offer is accepted.
    private final PerMessageDeflate deflate;
    private final Clock clock;
    private final WsConnection.Events connectionEvents;
    // Connection ids: a per-process random prefix keeps them unique across replicas and restarts.
    private final String idPrefix = UUID.randomUUID().toString().substring(0, 8) + "-";
    private final AtomicLong sequence = new AtomicLong();

    public SyncWebSocketHandler(TokenVerifier verifier, Hub hub, EventLog log, ServerMessages messages,
            ClientMessageParser parser, TasksyncMetrics metrics, ConnectionDrainer drainer, WebSocketProperties limits,
            CompressionProperties compression, Clock clock) {
        this.verifier = verifier;
        this.hub = hub;
        this.events = log;
        this.messages = messages;
        this.protocol = new SessionProtocol(hub, log, messages, parser, metrics, verifier, limits);
        this.metrics = metrics;
        this.drainer = drainer;
        this.limits = limits;
        this.maxFrameBytes = (int) limits.maxFrameSize().toBytes();
        this.deflate = compression.enabled() ? new PerMessageDeflate(compression) : null;
        this.clock = clock;
        this.connectionEvents = new WsConnection.Events() {
            @Override
            public void written(Frame frame) {
                metrics.written(frame);
            }

            @Override
            public void dropped() {
                metrics.notWritten();
            }

            @Override
            public void closing(CloseStatus status) {
                metrics.disconnected(status.getReason());
            }
        };
    }

    /** Decides, before the upgrade, whether the client is served or refused (and why). */
    Mono<Admission> admit(HandshakeParams params, String origin, SocketAddress remote) {
        if (drainer.isDraining()) {
            return Mono.just(new Admission(params, null, CloseCodes.GOING_AWAY));
        }
        if (origin != null && !limits.allowedOrigins().isEmpty() && !limits.allowedOrigins().contains(origin)) {
            metrics.authFailure("origin");
            rejections.warn("WebSocket rejected: origin {} not allowed", origin);
            return Mono.just(new Admission(params, null, CloseCodes.ORIGIN_NOT_ALLOWED));
        }
        return verifier.verify(params.token())
                .map(principal -> {
                    if (params.userId() != null && !params.userId().equals(principal.userId())) {
                        metrics.authFailure("user_mismatch");
                        rejections.warn("WebSocket rejected from {}: user_id parameter does not match the token",
                                address(remote));
                        return new Admission(params, null, CloseCodes.FORBIDDEN);
                    }
                    if (hub.connectionsOf(principal.userId()) >= limits.maxConnectionsPerUser()) {
                        metrics.clientError("too_many_connections");
                        return new Admission(params, null, CloseCodes.TOO_MANY_CONNECTIONS);
                    }
                    return new Admission(params, principal, null);
                })
                .onErrorResume(InvalidTokenException.class, e -> {
                    metrics.authFailure(e.reason().name().toLowerCase());
                    // The reason only: the token itself is never logged.
                    rejections.warn("WebSocket rejected from {}: {}", address(remote), e.getMessage());
                    return Mono.just(new Admission(params, null, CloseCodes.UNAUTHORIZED));
                });
    }

    /** Whether to accept a client's {@code Sec-WebSocket-Extensions} offer (the route answers with {@link PerMessageDeflate#RESPONSE}). */
    boolean acceptsDeflate(String extensions) {
        return deflate != null && PerMessageDeflate.offered(extensions);
    }

    /**
     * Before the upgrade response is sent: an admitted client's connection joins its user stream
     * and the topics it named, and gets its greeting and any replay queued, so that no event
     * published from now on can miss it (frames wait in the connection until the upgrade is done).
     * Null for a refused client. {@link #closed} undoes it if the upgrade never happens.
     */
    WsConnection open(Admission admission, Channel channel, boolean deflated) {
        if (admission.refusal() != null) {
            return null;
        }
        UserPrincipal principal = admission.principal();
        String since = admission.params().since();
        var c = new WsConnection(idPrefix + sequence.incrementAndGet(), principal, channel, limits.outboundQueue(),
                limits.maxPendingBytes().toBytes(), deflated ? deflate : null, connectionEvents);
        var topics = new java.util.LinkedHashSet<String>();
        var refusals = new java.util.ArrayList<byte[]>();
        for (String topic : admission.params().topics()) {
            byte[] refusal = protocol.refusal(principal, topic, topics);
            if (refusal == null) {
                topics.add(topic);
            } else {
                refusals.add(refusal);
            }
        }
        // Greeting, then the replay of missed events (all streams, in log order), then live ones:
        // the log orders all three. Refused topics are answered right after the greeting.
        var join = events.join(c, since, topics, j -> {
            c.offer(messages.connected(principal.userId(), c.id(), clock.instant(), since == null ? null : j.resumed(),
                    admission.params().topics().isEmpty() ? null : topics));
            refusals.forEach(c::offer);
            if (since != null && !j.resumed()) {
                c.offer(ServerMessages.RESYNC_REQUIRED);
            }
        });
        c.joined(join.seq(), join.since());
        channel.closeFuture().addListener(f -> closed(c));
        return c;
    }

    /** The connection's socket or session ended (also when the upgrade never completed). Idempotent. */
    void closed(WsConnection c) {
        if (c != null) {
            c.complete();
            hub.remove(c);
        }
    }

    /** Runs one upgraded session to its end. */
    Mono<Void> handle(Admission admission, WsConnection c, WebsocketInbound in, WebsocketOutbound out) {
        if (admission.refusal() != null) {
            return close(out, admission.refusal());
        }
        c.upgraded();
        return serve(in, out, c);
    }

    private Mono<Void> serve(WebsocketInbound in, WebsocketOutbound out, WsConnection c) {
        Channel channel = ((Connection) in).channel();
        // Frames are read out of their buffers at once (Netty releases them after onNext); only
        // token refresh is asynchronous, and concatMap keeps replies in message order. No
        // prefetch: clients send little, and a prefetch queue would cost every idle connection.
        Mono<Void> inbound = in.aggregateFrames(maxFrameBytes).receiveFrames()
                .map(f -> Inbound.read(c, f, maxFrameBytes))
                .concatMap(message -> handleInbound(c, message), 0)
                .then()
                .doFinally(signal -> c.complete());
        // Server-side closes (slow consumer, shutdown, expiry) send the close frame after every frame
        // offered before them; Reactor Netty then closes the socket.
        Mono<Void> serverClose = c.closeRequests().flatMap(status -> c.sendClose(() -> close(out, status)));
        // A peer that stops reading, or never answers our close, must not pin the session or its socket.
        Mono<Void> graceOver = c.closeRequests().flatMap(status -> Mono.delay(CLOSE_TIMEOUT))
                .switchIfEmpty(Mono.never()).then(Mono.fromRunnable(channel::close));

        return Mono.firstWithSignal(Mono.when(inbound, serverClose), graceOver)
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
    private record Inbound(Kind kind, String text, long atNanos) {
        enum Kind { TEXT, BINARY, PONG, OTHER }

        static Inbound read(WsConnection c, WebSocketFrame f, int maxMessageBytes) {
            long now = System.nanoTime();
            c.seen(now);
            boolean compressed = (f.rsv() & RSV1) != 0;
            if (compressed && c.deflate() == null) {
                c.close(CloseCodes.PROTOCOL_ERROR); // RSV1 without the extension negotiated
                return new Inbound(Kind.OTHER, null, now);
            }
            if (f instanceof TextWebSocketFrame t) {
                return compressed ? inflated(c, t, maxMessageBytes, now)
                        : new Inbound(Kind.TEXT, t.content().toString(StandardCharsets.UTF_8), now);
            }
            return new Inbound(f instanceof BinaryWebSocketFrame ? Kind.BINARY
                    : f instanceof PongWebSocketFrame ? Kind.PONG : Kind.OTHER, null, now);
        }

        /** A compressed text message: inflated within the frame size limit, or the connection is closed. */
        private static Inbound inflated(WsConnection c, TextWebSocketFrame t, int maxMessageBytes, long now) {
            try {
                return new Inbound(Kind.TEXT, c.deflate().inflate(t.content(), maxMessageBytes), now);
            } catch (PerMessageDeflate.TooBig e) {
                c.close(CloseCodes.MESSAGE_TOO_BIG);
            } catch (java.util.zip.DataFormatException e) {
                c.close(CloseCodes.INVALID_PAYLOAD);
            }
            return new Inbound(Kind.OTHER, null, now);
        }
    }

    private static final int RSV1 = 0x4;

    private Mono<Void> handleInbound(WsConnection c, Inbound in) {
        // PING is answered by Reactor Netty; PONG frames only prove liveness (recorded in read()).
        if (in.kind() == Inbound.Kind.PONG || in.kind() == Inbound.Kind.OTHER || c.isClosed()
                || !protocol.admit(c, in.atNanos())) {
            return Mono.empty();
        }
        if (in.kind() == Inbound.Kind.BINARY) {
            protocol.onBinary(c);
            return Mono.empty();
        }
        return protocol.onText(c, in.text());
    }

    private static Object address(SocketAddress remote) {
        return remote instanceof java.net.InetSocketAddress a ? a.getAddress() : "?";
    }

    private static Mono<Void> close(WebsocketOutbound out, CloseStatus status) {
        // A client that stopped reading may never let the close frame out; don't wait for it forever.
        return out.sendClose(status.getCode(), status.getReason()).timeout(CLOSE_TIMEOUT, Mono.empty());
    }
}
