package dev.tasksync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tasksync.TasksyncApplication;
import dev.tasksync.support.HttpHead;
import dev.tasksync.support.TasksyncInstance;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.WsClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * {@code tasksync.http.header-timeout}: a connection without a complete request head is closed when
 * it is up, however slowly bytes trickle in; a keep-alive connection idle that long too; an
 * upgraded WebSocket never (its liveness is the ping and idle timeout, 4002). Here 1 s, and pings
 * an hour apart so that a WebSocket is really silent. ExhaustionTest checks the default under attack.
 */
class HeaderTimeoutTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static TasksyncInstance app;

    @BeforeAll
    static void start() {
        app = TasksyncInstance.start(Tokens.SECRET, "--tasksync.http.header-timeout=" + TIMEOUT.toMillis() + "ms",
                "--tasksync.ws.ping-interval=1h", "--tasksync.ws.idle-timeout=2h");
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void aTrickledRequestHeadIsClosedWhenTheTimeoutIsUp() throws Exception {
        try (Socket s = connect()) {
            long opened = System.nanoTime();
            OutputStream out = s.getOutputStream();
            byte[] head = ("GET /ws?token=" + Tokens.forUser("slow") + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            // one byte every 50 ms, for up to 4x the timeout; the server must hang up before that
            boolean closed = false;
            for (int i = 0; i < 4 * TIMEOUT.toMillis() / 50 && !closed; i++) {
                try {
                    out.write(head[i % head.length]);
                    out.flush();
                } catch (IOException reset) {
                    closed = true;
                }
                closed = closed || endOfStream(s, 50);
            }
            Duration held = Duration.ofNanos(System.nanoTime() - opened);
            assertThat(closed).as("the server closed the trickling connection").isTrue();
            assertThat(held).isBetween(TIMEOUT.minusMillis(100), TIMEOUT.plusMillis(1000));
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheTimeoutAndServedBeforeIt() throws Exception {
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write("GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = HttpHead.read(s.getInputStream());
            assertThat(head).startsWith("HTTP/1.1 200");
            var length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
            assertThat(length.find()).as("a response with a length: " + head).isTrue();
            s.getInputStream().readNBytes(Integer.parseInt(length.group(1)));
            long answered = System.nanoTime();
            assertThat(endOfStream(s, 4 * TIMEOUT.toMillis())).as("closed once idle for the timeout").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - answered)).isBetween(TIMEOUT.minusMillis(100),
                    TIMEOUT.plusMillis(1000));
        }
    }

    @Test
    void anUpgradedWebSocketIsNotSubjectToIt() {
        try (var ws = WsClient.connectAs(app.port(), "quiet")) {
            ws.expectNoMessage(TIMEOUT.multipliedBy(3)); // silent both ways for 3x the timeout
            ws.send("{\"type\":\"ping\"}");
            assertThat(ws.next().path("type").asString()).isEqualTo("pong");
        }
    }

    @Test
    void outOfRangeValuesAreRefusedAtStartUp() {
        for (String bad : new String[] {"0s", "50ms", "11m"}) {
            assertThatThrownBy(() -> new SpringApplicationBuilder(TasksyncApplication.class)
                    .properties("server.port=0", "spring.main.banner-mode=off")
                    .run("--tasksync.auth.secret=" + Tokens.SECRET, "--tasksync.http.header-timeout=" + bad).close())
                    .as(bad).hasStackTraceContaining("tasksync.http.header-timeout");
        }
    }

    private static Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", app.port()), 5_000);
        return s;
    }

    /** Whether the server ended the stream (or reset it) within {@code millis}; data from it fails the test. */
    private static boolean endOfStream(Socket s, long millis) throws IOException {
        s.setSoTimeout((int) millis);
        try {
            int b = s.getInputStream().read();
            assertThat(b).as("the server answered instead of closing").isEqualTo(-1);
            return true;
        } catch (SocketTimeoutException open) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

}
