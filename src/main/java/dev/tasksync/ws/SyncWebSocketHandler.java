package dev.tasksync.ws;

import dev.tasksync.auth.TokenVerifier;
import dev.tasksync.config.WebSocketProperties;
import dev.tasksync.fanout.EventLog;
import dev.tasksync.fanout.Hub;
import dev.tasksync.ops.TasksyncMetrics;
import dev.tasksync.presence.Presence;
import dev.tasksync.session.ChannelSession;
import dev.tasksync.session.ConnectParams;
import dev.tasksync.session.Connector;
import dev.tasksync.session.Connector.Admission;
import dev.tasksync.signal.Signals;
import dev.tasksync.wire.ClientMessageParser;
import dev.tasksync.wire.Close;
import dev.tasksync.wire.CloseCodes;
import dev.tasksync.wire.ServerMessages;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
    static final String TRANSPORT = "WebSocket";
    /** The greeting's {@code message}, as the seeds' clients know it. */
    private static final String GREETING = "WebSocket connected successfully";

    private final Connector connector;
    private final Hub hub;
    private final SessionProtocol protocol;
    private final TasksyncMetrics metrics;
    private final int maxFrameBytes;
    private final ChannelSession.Limits connectionLimits;
    private final long idleNanos;
    // Null when compression is off: no offer is accepted.
    private final PerMessageDeflate deflate;

    public SyncWebSocketHandler(Connector connector, TokenVerifier verifier, Hub hub, EventLog log,
            ServerMessages messages, ClientMessageParser parser, TasksyncMetrics metrics, WebSocketProperties limits,
            CompressionProperties compression, Presence presence, Signals signals) {
        this.connector = connector;
        this.hub = hub;
        this.protocol = new SessionProtocol(hub, log, messages, parser, metrics, verifier, limits, connector,
                presence, signals);
        this.metrics = metrics;
        this.maxFrameBytes = (int) limits.maxFrameSize().toBytes();
        this.connectionLimits = new ChannelSession.Limits(limits.outboundQueue(), limits.maxPendingBytes().toBytes(),
                limits.pingInterval().toNanos());
        this.idleNanos = limits.idleTimeout().toNanos();
        this.deflate = compression.enabled() ? new PerMessageDeflate(compression) : null;
    }

    /** Decides, before the upgrade, whether the client is served or refused (and why). */
    Mono<Admission> admit(ConnectParams params, String origin, SocketAddress remote) {
        return connector.admit(params, origin, remote, TRANSPORT);
    }

    /** Whether to accept a client's {@code Sec-WebSocket-Extensions} offer (the route answers with {@link PerMessageDeflate#RESPONSE}). */
    boolean acceptsDeflate(String extensions) {
        return deflate != null && PerMessageDeflate.offered(extensions);
    }

    /**
     * Before the upgrade response is sent: an admitted client's connection joins its streams
     * ({@link Connector#join}), so that no event published from now on can miss it (frames wait in
     * the connection until the upgrade is done). Null for a refused client. {@link #closed} undoes
     * it if the upgrade never happens.
     */
    WsConnection open(Admission admission, Channel channel, boolean deflated) {
        if (admission.refusal() != null) {
            return null;
        }
        var c = new WsConnection(connector.nextId(), admission.principal(), channel, connectionLimits, idleNanos,
                deflated ? deflate : null, connector.connectionEvents());
        connector.join(c, admission, "ws", GREETING);
        channel.closeFuture().addListener(f -> closed(c));
        return c;
    }

    /** The connection's socket or session ended (also when the upgrade never completed). Idempotent. */
    void closed(WsConnection c) {
        connector.closed(c);
    }

    /** Runs one upgraded session to its end. */
    Mono<Void> handle(Admission admission, WsConnection c, WebsocketInbound in, WebsocketOutbound out) {
        if (admission.refusal() != null) {
            return close(out, admission.refusal());
        }
        c.opened();
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

    private static Mono<Void> close(WebsocketOutbound out, Close status) {
        // A client that stopped reading may never let the close frame out; don't wait for it forever.
        return out.sendClose(status.code(), status.reason()).timeout(CLOSE_TIMEOUT, Mono.empty());
    }
}
