package dev.tasksync.support;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real WebSocket client (Reactor Netty) for tests: records every frame it receives and
 * the close status, and sends text or binary frames on demand.
 */
public final class WsClient implements AutoCloseable {

    public static final Duration WAIT = Duration.ofSeconds(10);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final ReactorNettyWebSocketClient CLIENT = new ReactorNettyWebSocketClient(HttpClient.create(),
            () -> WebsocketClientSpec.builder().maxFramePayloadLength(16 * 1024 * 1024));
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final Sinks.Many<WebSocketMessage> outbound = Sinks.many().unicast().onBackpressureBuffer();
    private final Sinks.One<CloseStatus> closed = Sinks.one();
    private final Sinks.One<Boolean> opened = Sinks.one();
    private volatile org.springframework.web.reactive.socket.WebSocketSession session;
    private final Disposable connection;

    private WsClient(URI uri, HttpHeaders headers, ReactorNettyWebSocketClient client) {
        connection = client.execute(uri, headers, s -> {
            session = s;
            opened.tryEmitValue(true);
            s.closeStatus().subscribe(closed::tryEmitValue, e -> closed.tryEmitValue(CloseStatus.NO_CLOSE_FRAME),
                    () -> closed.tryEmitValue(CloseStatus.NO_STATUS_CODE));
            Mono<Void> in = s.receive().doOnNext(m -> received.add(m.getPayloadAsText())).then();
            return Mono.when(in, s.send(outbound.asFlux()));
        }).subscribe(v -> { }, e -> closed.tryEmitValue(CloseStatus.NO_CLOSE_FRAME));
    }

    /** Opens {@code ws://127.0.0.1:port/ws?token=…} and waits for the upgrade. */
    public static WsClient connect(int port, String token) {
        return open(URI.create("ws://127.0.0.1:" + port + "/ws" + (token == null ? "" : "?token=" + token)),
                new HttpHeaders());
    }

    /** The Origin a browser page served by the app would send; tests of other origins set their own. */
    public static final String DEFAULT_ORIGIN = "http://localhost";

    public static WsClient open(URI uri, HttpHeaders headers) {
        return open(uri, headers, CLIENT);
    }

    private static WsClient open(URI uri, HttpHeaders headers, ReactorNettyWebSocketClient client) {
        if (headers.getOrigin() == null) {
            headers.setOrigin(DEFAULT_ORIGIN);
        }
        var c = new WsClient(uri, headers, client);
        Boolean ok = c.opened.asMono().timeout(WAIT).onErrorReturn(false).block();
        if (!Boolean.TRUE.equals(ok)) {
            c.close();
            throw new AssertionError("WebSocket upgrade did not happen: " + uri.getPath());
        }
        return c;
    }

    /** Connects as {@code userId} and consumes the {@code connected} greeting. */
    public static WsClient connectAs(int port, String userId) {
        return greeted(connect(port, Tokens.forUser(userId)));
    }

    private static WsClient greeted(WsClient c) {
        JsonNode hello = c.next();
        if (!"connected".equals(hello.path("type").asString())) {
            throw new AssertionError("expected connected greeting, got " + hello);
        }
        return c;
    }

    public void send(String text) {
        outbound.tryEmitNext(session.textMessage(text));
    }

    public void sendBinary(byte[] bytes) {
        outbound.tryEmitNext(session.binaryMessage(f -> f.wrap(bytes)));
    }

    /** The next frame as JSON; fails if none arrives in time. */
    public JsonNode next() {
        return next(WAIT);
    }

    /** The next frame as JSON, waiting up to {@code wait}. */
    public JsonNode next(Duration wait) {
        String text = nextText(wait);
        if (text == null) {
            throw new AssertionError("no message within " + wait);
        }
        return JSON.readTree(text);
    }

    public String nextText(Duration wait) {
        try {
            return received.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Asserts that nothing arrives for {@code quiet}. */
    public void expectNoMessage(Duration quiet) {
        String text = nextText(quiet);
        if (text != null) {
            throw new AssertionError("unexpected message: " + text);
        }
    }

    /** Waits for the server to close the connection and returns its status. */
    public CloseStatus awaitClose() {
        CloseStatus s = closed.asMono().timeout(WAIT).block();
        return s;
    }

    @Override
    public void close() {
        var s = session;
        if (s != null) {
            s.close().timeout(Duration.ofSeconds(2)).onErrorComplete().block();
        }
        connection.dispose();
    }
}
