package dev.tasksync.sse;

import dev.tasksync.config.WebSocketProperties;
import dev.tasksync.session.ChannelSession;
import dev.tasksync.session.ConnectParams;
import dev.tasksync.session.Connector;
import dev.tasksync.session.Connector.Admission;
import dev.tasksync.ops.TasksyncMetrics;
import dev.tasksync.wire.Close;
import dev.tasksync.wire.CloseCodes;
import dev.tasksync.wire.ServerMessages;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.reactivestreams.Publisher;
import org.springframework.boot.reactor.netty.NettyRouteProvider;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * {@code GET /sse}: the event stream of the WebSocket endpoint as Server-Sent Events, for
 * networks that break WebSocket upgrades. Served straight from Reactor Netty, as {@code /ws} is.
 * The client is admitted and joined exactly as over WebSocket ({@link Connector}); a refusal is an
 * HTTP error carrying the WebSocket close code, so that a browser's {@code EventSource} stops
 * instead of retrying a token that cannot work. A stream the server ends gets a last {@code close}
 * event with the code (1001 with a spread-out {@code retry:} so a drained replica's clients do not
 * all come back at once). {@code Last-Event-ID}, sent by browsers on reconnect, resumes as
 * {@code since} does.
 */
public final class SseRoute implements NettyRouteProvider {

    static final String TRANSPORT = "SSE";
    private static final String GREETING = "Event stream connected successfully";
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final String LAST_EVENT_ID = "Last-Event-ID";
    // After a drain, native EventSource clients reconnect after a delay in this range (ms).
    private static final long RETRY_MIN_MS = 500;
    private static final long RETRY_MAX_MS = 5_000;

    private final Connector connector;
    private final ServerMessages messages;
    private final TasksyncMetrics metrics;
    private final boolean enabled;
    private final String path;
    private final ChannelSession.Limits limits;

    public SseRoute(Connector connector, ServerMessages messages, TasksyncMetrics metrics, SseProperties sse,
            WebSocketProperties ws) {
        this.connector = connector;
        this.messages = messages;
        this.metrics = metrics;
        this.enabled = sse.enabled();
        this.path = sse.path();
        this.limits = new ChannelSession.Limits(ws.outboundQueue(), ws.maxPendingBytes().toBytes(),
                sse.heartbeatInterval().toNanos());
    }

    @Override
    public HttpServerRoutes apply(HttpServerRoutes routes) {
        return enabled ? routes.get(path, this::stream).options(path, this::preflight) : routes;
    }

    private Publisher<Void> stream(HttpServerRequest request, HttpServerResponse response) {
        HttpHeaders headers = request.requestHeaders();
        String origin = headers.get(HttpHeaderNames.ORIGIN);
        var params = ConnectParams.from(request.uri(), headers.get(HttpHeaderNames.AUTHORIZATION))
                .resumingAfter(headers.get(LAST_EVENT_ID));
        return connector.admit(params, origin, request.remoteAddress(), TRANSPORT).flatMap(admission -> {
            cors(response, origin);
            if (admission.refusal() != null) {
                return refuse(response, admission.refusal());
            }
            return serve(admission, ((Connection) request).channel(), response);
        });
    }

    private Mono<Void> serve(Admission admission, Channel channel, HttpServerResponse response) {
        var c = new SseConnection(connector.nextId(), admission.principal(), channel, limits,
                connector.connectionEvents());
        // Joined before the response headers go out: an event published as the client sees the
        // stream open is already queued for it.
        connector.join(c, admission, "sse", GREETING);
        channel.closeFuture().addListener(f -> connector.closed(c));
        response.sse()
                .header(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .header("X-Accel-Buffering", "no"); // nginx: pass events through, do not buffer them
        // The close event is written after every frame offered before it; a peer that stopped reading
        // (it is never flushed) must not pin the stream: after this long, its connection is closed.
        Mono<Void> ended = c.closeRequests().flatMap(close -> c.sendClose(() -> sendClosing(c, channel, close))
                .timeout(CLOSE_TIMEOUT, Mono.fromRunnable(channel::close)));
        return response.sendHeaders().then()
                .then(Mono.fromRunnable(c::opened))
                .then(ended)
                .onErrorResume(e -> Mono.empty()) // a peer gone mid-write: normal for a long-lived stream
                .doFinally(signal -> {
                    connector.closed(c);
                    if (c.closeRequested() == null) {
                        metrics.disconnected("client");
                    }
                });
    }

    /**
     * The last event of a stream the server ends, done once it is flushed; the response then ends
     * (Reactor Netty writes its last chunk).
     */
    private Mono<Void> sendClosing(SseConnection c, Channel channel, Close close) {
        var frame = messages.close(close);
        var event = close.code() == CloseCodes.GOING_AWAY.code()
                ? SseFrames.withRetry(frame, ThreadLocalRandom.current().nextLong(RETRY_MIN_MS, RETRY_MAX_MS))
                : SseFrames.event(frame);
        return Mono.create(sink -> channel.writeAndFlush(c.content(event)).addListener(f -> sink.success()));
    }

    private Mono<Void> refuse(HttpServerResponse response, Close refusal) {
        return response.status(status(refusal))
                .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .sendByteArray(Mono.just(messages.refusal(refusal)))
                .then();
    }

    /** The HTTP status a refusal at connect is answered with; the body carries the close code. */
    static HttpResponseStatus status(Close refusal) {
        return switch (refusal.code()) {
            case 4001 -> HttpResponseStatus.UNAUTHORIZED;
            case 4003 -> HttpResponseStatus.FORBIDDEN;
            case 4029 -> HttpResponseStatus.TOO_MANY_REQUESTS;
            case 1001 -> HttpResponseStatus.SERVICE_UNAVAILABLE;
            default -> HttpResponseStatus.BAD_REQUEST;
        };
    }

    /** CORS preflight, for clients that send {@code Authorization} or {@code Last-Event-ID} from another origin. */
    private Publisher<Void> preflight(HttpServerRequest request, HttpServerResponse response) {
        String origin = request.requestHeaders().get(HttpHeaderNames.ORIGIN);
        if (origin == null || !connector.originAllowed(origin)) {
            return response.status(HttpResponseStatus.FORBIDDEN).send();
        }
        cors(response, origin);
        return response.status(HttpResponseStatus.NO_CONTENT)
                .header(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET")
                .header(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "Authorization, Last-Event-ID, Cache-Control")
                .header(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "600")
                .send();
    }

    /**
     * Lets an allowed page read the stream (tokens are not cookies: no credentials are allowed, so
     * a foreign page cannot ride anyone's session).
     */
    private void cors(HttpServerResponse response, String origin) {
        if (origin != null && connector.originAllowed(origin)) {
            response.header(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin).header(HttpHeaderNames.VARY, "Origin");
        }
    }
}
