package dev.tasksync.config;

import java.time.Duration;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import reactor.netty.http.server.HttpServer;

/**
 * Closes connections that do not deliver a complete request head in time, with Reactor Netty's
 * idle timeout: its handler sits behind the HTTP decoder, so it sees no read until the request line
 * and every header have arrived, however many bytes trickle in, and it is removed for the request
 * (re-armed after the response on a keep-alive connection). A WebSocket upgrade takes the HTTP
 * handlers out of the pipeline, so an upgraded socket is never closed by it.
 */
final class HeaderTimeout implements NettyServerCustomizer {

    private final Duration timeout;

    HeaderTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public HttpServer apply(HttpServer server) {
        return server.idleTimeout(timeout);
    }
}
