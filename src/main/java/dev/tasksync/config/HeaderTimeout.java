package dev.tasksync.config;

import java.time.Duration;
import java.util.Arrays;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;

/**
 * Closes connections that do not deliver a complete request head in time, with Reactor Netty's
 * idle timeout: its handler sits behind the HTTP/1.1 decoder, so it sees no read until the request
 * line and every header have arrived, however many bytes trickle in, and it is removed for the
 * request (re-armed after the response on a keep-alive connection). A WebSocket upgrade takes the
 * HTTP handlers out of the pipeline, so an upgraded socket is never closed by it, nor is an SSE
 * response while it streams. Not set when the server speaks HTTP/2: there Reactor Netty applies it
 * to the whole connection, open streams included, and would cut an SSE stream quieter than it.
 */
final class HeaderTimeout implements NettyServerCustomizer {

    private final Duration timeout;

    HeaderTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public HttpServer apply(HttpServer server) {
        boolean http2 = Arrays.stream(server.configuration().protocols())
                .anyMatch(p -> p == HttpProtocol.H2 || p == HttpProtocol.H2C);
        return http2 ? server : server.idleTimeout(timeout);
    }
}
