package dev.tasksync.ws;

import dev.tasksync.session.ConnectParams;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.reactivestreams.Publisher;
import org.springframework.boot.reactor.netty.NettyRouteProvider;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * Serves the WebSocket endpoint straight from Reactor Netty, ahead of WebFlux: an upgrade needs
 * none of WebFlux's per-request machinery (exchange, filter chain, security and observation
 * contexts), which through WebFlux stays subscribed for the life of the socket and was the
 * largest part of an idle connection's memory. The client is admitted before the upgrade and
 * nothing of the request is kept but what the session needs.
 */
public final class WebSocketRoute implements NettyRouteProvider {

    private final SyncWebSocketHandler handler;
    private final String path;
    private final WebsocketServerSpec spec;

    public WebSocketRoute(SyncWebSocketHandler handler, String path, int maxFramePayloadLength) {
        this.handler = handler;
        this.path = path;
        this.spec = WebsocketServerSpec.builder().maxFramePayloadLength(maxFramePayloadLength).build();
    }

    @Override
    public HttpServerRoutes apply(HttpServerRoutes routes) {
        return routes.get(path, this::upgrade);
    }

    private Publisher<Void> upgrade(HttpServerRequest request, HttpServerResponse response) {
        var headers = request.requestHeaders();
        if (!headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            return badRequest(response, "Expected a WebSocket upgrade");
        }
        var params = ConnectParams.from(request.uri(), headers.get(HttpHeaderNames.AUTHORIZATION));
        return handler.admit(params, headers.get(HttpHeaderNames.ORIGIN), request.remoteAddress())
                .flatMap(admission -> {
                    // Joined before the 101 goes out: an event published as the client sees the socket
                    // open is already queued for it. Reactor Netty's request is the connection itself.
                    // permessage-deflate: answered in the 101's headers (Reactor Netty's decoder
                    // accepts RSV1 frames; our connection inflates and compresses, no per-socket zlib).
                    boolean deflated = admission.refusal() == null
                            && handler.acceptsDeflate(headers.get(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS));
                    if (deflated) {
                        response.header(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS, PerMessageDeflate.RESPONSE);
                    }
                    WsConnection c = handler.open(admission, ((Connection) request).channel(), deflated);
                    return response.sendWebsocket((in, out) -> {
                        // Upgraded: the request's and response's header maps would otherwise live as long
                        // as the socket (about 1 KB each connection, the token among them).
                        headers.clear();
                        response.responseHeaders().clear();
                        return handler.handle(admission, c, in, out);
                    }, spec).doOnError(e -> handler.closed(c)); // a failed upgrade; a closed socket is seen by open()
                });
    }

    private static Mono<Void> badRequest(HttpServerResponse response, String message) {
        return response.status(HttpResponseStatus.BAD_REQUEST).sendString(Mono.just(message)).then();
    }
}
