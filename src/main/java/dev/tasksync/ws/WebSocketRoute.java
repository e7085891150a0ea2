package dev.tasksync.ws;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.util.Map;
import org.reactivestreams.Publisher;
import org.springframework.boot.reactor.netty.NettyRouteProvider;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.support.Netty4HeadersAdapter;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.adapter.ReactorNettyWebSocketSession;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * Serves the WebSocket endpoint straight from Reactor Netty, ahead of WebFlux. Through WebFlux,
 * each upgrade request's whole processing chain (exchange, filter chain, security and
 * observation contexts) stays subscribed for the life of the socket; measured with the idle
 * benchmark, that was the largest part of an idle connection's memory. The endpoint needs none
 * of it: the token is verified by {@link SyncWebSocketHandler}, which still sees Spring's
 * {@code WebSocketSession} API.
 */
public final class WebSocketRoute implements NettyRouteProvider {

    private static final NettyDataBufferFactory BUFFERS = new NettyDataBufferFactory(ByteBufAllocator.DEFAULT);
    private static final Map<String, Object> NO_ATTRIBUTES = Map.of();

    private final SyncWebSocketHandler handler;
    private final String path;
    private final int maxFramePayloadLength;
    private final WebsocketServerSpec spec;

    public WebSocketRoute(SyncWebSocketHandler handler, String path, int maxFramePayloadLength) {
        this.handler = handler;
        this.path = path;
        this.maxFramePayloadLength = maxFramePayloadLength;
        this.spec = WebsocketServerSpec.builder().maxFramePayloadLength(maxFramePayloadLength).build();
    }

    @Override
    public HttpServerRoutes apply(HttpServerRoutes routes) {
        return routes.get(path, this::upgrade);
    }

    private Publisher<Void> upgrade(HttpServerRequest request, HttpServerResponse response) {
        if (!request.requestHeaders().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            return badRequest(response, "Expected a WebSocket upgrade");
        }
        URI uri;
        try {
            uri = URI.create(request.uri());
        } catch (IllegalArgumentException e) {
            return badRequest(response, "Malformed request URI");
        }
        var info = new HandshakeInfo(uri, new HttpHeaders(new Netty4HeadersAdapter(request.requestHeaders())),
                new LinkedMultiValueMap<>(0), Mono.empty(), null, request.remoteAddress(), NO_ATTRIBUTES, "");
        return response.sendWebsocket((in, out) -> handler.handle(
                new ReactorNettyWebSocketSession(in, out, info, BUFFERS, maxFramePayloadLength)), spec);
    }

    private static Mono<Void> badRequest(HttpServerResponse response, String message) {
        return response.status(HttpResponseStatus.BAD_REQUEST).sendString(Mono.just(message)).then();
    }
}
