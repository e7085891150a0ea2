package dev.tasksync.ops;

import dev.tasksync.auth.TokenMinter;
import dev.tasksync.config.AuthProperties;
import dev.tasksync.config.DaprProperties;
import dev.tasksync.ingress.DaprApiTokenFilter;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Runs real traffic through this replica's own hot paths, over loopback, before it reports ready.
 * A freshly started JVM interprets its code, and a rolling deploy hands a new replica thousands of
 * connections and the whole event stream at once: without this, its first seconds are spent in the
 * interpreter and the JIT compiler, and latency goes up by orders of magnitude. Spring Boot reports
 * readiness only after application runners, so Kubernetes routes no clients here before it is done.
 *
 * <p>WebSocket handshakes with tokens it mints (HS256 only: with a JWK Set it cannot sign, and skips),
 * then one-event-per-request deliveries on the Dapr route fanned out to those connections, then
 * more handshakes; it ends when the JIT compiler has gone quiet or at the timeout. Its users are
 * named {@code tasksync-warmup-…}; its events count in the metrics like any others.
 */
public final class Warmup implements ApplicationRunner, ApplicationListener<WebServerInitializedEvent> {

    private static final Logger log = LoggerFactory.getLogger(Warmup.class);
    private static final Duration TOKEN_TTL = Duration.ofMinutes(5);

    private static final int BULK_ENTRIES = 100;
    private static final String TRACE_ID = "7461736b73796e632d7761726d2d7570";

    private final WarmupProperties props;
    private final AuthProperties auth;
    private final DaprProperties dapr;
    private final String wsPath;
    private volatile int port = -1;
    private volatile Result result;

    /** What the last warm-up did; {@code framesReceived}: greetings and deliveries of its first round. */
    public record Result(int handshakes, int events, long framesReceived, long millis) {
    }

    public Warmup(WarmupProperties props, AuthProperties auth, DaprProperties dapr, String wsPath) {
        this.props = props;
        this.auth = auth;
        this.dapr = dapr;
        this.wsPath = wsPath;
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (event.getApplicationContext().getParent() == null || port < 0) {
            port = event.getWebServer().getPort();
        }
    }

    @Override
    public void run(ApplicationArguments args) {
        if (!props.enabled() || port <= 0) {
            return;
        }
        if (!auth.hasSecret()) {
            log.info("warm-up skipped: tokens come from a JWK Set, so it cannot mint its own");
            return;
        }
        long t0 = System.nanoTime();
        var minter = new TokenMinter(auth);
        var pool = ConnectionProvider.builder("tasksync-warmup").maxConnections(16).build();
        try {
            String base = "http://127.0.0.1:" + port;
            // WebSockets each hold their own connection; the deliveries share a small pool.
            long frames = warm(minter, HttpClient.create(ConnectionProvider.newConnection()).baseUrl(base),
                    HttpClient.create(pool).baseUrl(base), System.nanoTime() + props.timeout().toNanos());
            result = new Result(props.connections() * props.handshakeRounds(), props.events(), frames,
                    (System.nanoTime() - t0) / 1_000_000);
            log.info("warm-up done: {}", result);
        } catch (RuntimeException e) {
            // Never a reason not to start: the replica is merely slower for its first seconds.
            log.warn("warm-up stopped early ({}); serving anyway", e.toString());
        } finally {
            pool.dispose();
        }
    }

    /** The last warm-up's outcome, null before one completed. */
    public Result result() {
        return result;
    }

    private long warm(TokenMinter minter, HttpClient ws, HttpClient http, long deadline) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        var received = new AtomicLong();
        List<Connection> open = List.of();
        long firstRound = 0;
        for (int round = 0; round < props.handshakeRounds(); round++) {
            open.forEach(Connection::dispose);
            open = connect(minter, ws, run, received, deadline);
            if (round == 0) {
                publish(http, run, deadline);
                long expected = (long) props.connections() + props.events();
                while (received.get() < expected && System.nanoTime() < deadline) {
                    sleep(10);
                }
                firstRound = received.get();
            }
        }
        open.forEach(Connection::dispose);
        awaitQuietCompiler(deadline);
        return firstRound;
    }

    private List<Connection> connect(TokenMinter minter, HttpClient http, String run, AtomicLong received,
            long deadline) {
        var connections = Flux.range(0, props.connections())
                .flatMap(i -> http.websocket().uri(wsPath + "?token=" + minter.mint(user(run, i), Instant.now(), TOKEN_TTL, List.of(), false)).connect()
                        .doOnNext(c -> c.inbound().receive().subscribe(b -> received.incrementAndGet())), 32)
                .collectList()
                .block(remaining(deadline));
        return connections == null ? List.of() : new ArrayList<>(connections);
    }

    private void publish(HttpClient http, String run, long deadline) {
        HttpClient route = http.headers(h -> {
            h.set("Content-Type", "application/cloudevents+json");
            h.set("traceparent", "00-" + TRACE_ID + "-0000000000000001-00");
            if (dapr.hasAppApiToken()) {
                h.set(DaprApiTokenFilter.HEADER, dapr.appApiToken());
            }
        });
        // As daprd will deliver: bulk envelopes when bulk subscribe is on, else one event per request.
        int batch = dapr.bulkSubscribe() ? BULK_ENTRIES : 1;
        Flux.range(0, (props.events() + batch - 1) / batch)
                .flatMap(b -> route.post().uri(DaprProperties.ROUTE)
                        .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(
                                batch == 1 ? event(run, b) : bulk(run, b * batch, Math.min(props.events(), (b + 1) * batch)))))
                        .responseSingle((response, body) -> body.then()), 8)
                .then()
                .block(remaining(deadline));
    }

    /** A bulk envelope of events {@code from} (inclusive) to {@code to}, shaped like daprd's. */
    private byte[] bulk(String run, int from, int to) {
        var out = new java.io.ByteArrayOutputStream();
        out.writeBytes(("{\"entries\":[").getBytes(StandardCharsets.UTF_8));
        for (int i = from; i < to; i++) {
            out.writeBytes(((i > from ? "," : "") + "{\"contentType\":\"application/cloudevents+json\",\"entryId\":\""
                    + run + "-" + i + "\",\"event\":").getBytes(StandardCharsets.UTF_8));
            out.writeBytes(event(run, i));
            out.writeBytes("}".getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes(("],\"id\":\"" + run + "-" + from + "\",\"pubsubname\":\"" + dapr.pubsubName() + "\",\"topic\":\""
                + dapr.topic() + "\",\"type\":\"com.dapr.event.sent\"}").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** Shaped like daprd's own deliveries (its envelope fields, in its order), so the JIT profiles what it will serve. */
    private byte[] event(String run, int i) {
        String trace = "00-" + TRACE_ID + "-" + Long.toHexString(0x1000000000000000L | i) + "-00";
        return ("{\"data\":{\"event_type\":\"task.updated\",\"user_id\":\"" + user(run, i % props.connections())
                + "\",\"task\":{\"id\":" + i + ",\"title\":\"warm-up\",\"status\":\"pending\"}},"
                + "\"datacontenttype\":\"application/json\",\"id\":\"tasksync-warmup-" + run + "-" + i
                + "\",\"pubsubname\":\"" + dapr.pubsubName() + "\",\"source\":\"tasksync-warmup\",\"specversion\":\"1.0\","
                + "\"time\":\"" + Instant.now() + "\",\"topic\":\"" + dapr.topic() + "\",\"traceid\":\"" + trace
                + "\",\"traceparent\":\"" + trace + "\",\"tracestate\":\"\",\"type\":\"com.dapr.event.sent\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String user(String run, int i) {
        return "tasksync-warmup-" + run + "-" + i;
    }

    /** Waits until the JIT compiler has spent no time for 300 ms (its queue drained), or the deadline. */
    private static void awaitQuietCompiler(long deadline) {
        var jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return;
        }
        long last = jit.getTotalCompilationTime();
        int quiet = 0;
        while (quiet < 3 && System.nanoTime() < deadline) {
            sleep(100);
            long now = jit.getTotalCompilationTime();
            quiet = now == last ? quiet + 1 : 0;
            last = now;
        }
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }
}
