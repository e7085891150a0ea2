package dev.tasksync.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.session.ConnectionDrainer;
import dev.tasksync.support.HttpHead;
import dev.tasksync.support.TasksyncInstance;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.WsClient;
import dev.tasksync.support.Waits;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationListener;
import org.springframework.web.reactive.socket.CloseStatus;

/** Shutdown: readiness down first, no new sockets, every client told 1001 to go elsewhere, promptly. */
class GracefulShutdownTest {

    @Test
    void drainTakesReadinessDownRefusesNewSocketsAndClosesOpenOnesWith1001() throws Exception {
        try (var app = TasksyncInstance.start(Tokens.SECRET); var open = WsClient.connectAs(app.port(), "alice")) {
            assertThat(readiness(app.port())).isEqualTo(200);
            ConnectionDrainer drainer = app.bean(ConnectionDrainer.class);

            drainer.stop(); // what SIGTERM triggers first, before the web server stops
            assertThat(open.awaitClose()).extracting(CloseStatus::getCode).isEqualTo(1001);
            assertThat(readiness(app.port())).as("readiness stays down after the drain").isEqualTo(503);
            try (var late = WsClient.connect(app.port(), Tokens.forUser("bob"))) {
                assertThat(late.awaitClose()).extracting(CloseStatus::getCode).isEqualTo(1001);
            }

            drainer.start(); // a restarted lifecycle serves again
            assertThat(readiness(app.port())).isEqualTo(200);
        }
    }

    /**
     * The real shutdown path (the context closing, as on SIGTERM), checked while it is under way:
     * when the drainer takes readiness to refusing (its first step), a readiness probe must get 503
     * and a new upgrade 1001, before the open clients are told; then every open client gets its 1001
     * and shutdown completes promptly. The checks run in the readiness event itself, on the
     * shutdown thread, so they are ordered by the server's own steps, not by sleeps.
     */
    @Test
    void shutdownDrainsFirstReadinessDownNewUpgradesRefusedOpenClientsToldToGoAway() throws Exception {
        var app = TasksyncInstance.start(Tokens.SECRET);
        int port = app.port();
        var duringDrain = new java.util.concurrent.CompletableFuture<List<Integer>>();
        app.context().addApplicationListener((ApplicationListener<AvailabilityChangeEvent<?>>) event -> {
            // Boot itself takes readiness down as the context starts closing; the drainer's own step is the one
            // it publishes, after it began turning upgrades away and before it tells the open clients.
            if (event.getState() == ReadinessState.REFUSING_TRAFFIC && event.getSource() instanceof ConnectionDrainer) {
                try (var late = WsClient.connect(port, Tokens.forUser("dave"))) {
                    duringDrain.complete(List.of(readiness(port), late.awaitClose().getCode()));
                } catch (Throwable e) {
                    duringDrain.completeExceptionally(e);
                }
            }
        });
        Thread sigterm = new Thread(app::stop, "sigterm");
        try (var a = WsClient.connectAs(port, "alice"); var b = WsClient.connectAs(port, "bob")) {
            assertThat(readiness(port)).isEqualTo(200);
            long started = System.nanoTime();
            sigterm.start();

            assertThat(duringDrain.get(15, TimeUnit.SECONDS)).as("readiness, and the close code of a new upgrade, "
                    + "once shutdown took readiness down").containsExactly(503, 1001);
            assertThat(a.awaitClose()).extracting(CloseStatus::getCode).isEqualTo(1001);
            assertThat(b.awaitClose()).extracting(CloseStatus::getCode).isEqualTo(1001);
            sigterm.join(15_000);
            assertThat(sigterm.isAlive()).as("shutdown completed").isFalse();
            // Without the drain, graceful shutdown waits its full 20 s timeout for the open sockets.
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        } finally {
            sigterm.join(30_000);
            app.close();
        }
    }

    /**
     * A delivery whose body is still arriving when shutdown begins. The steps are ordered by what
     * the server shows, not by sleeps: its "100 Continue" says the route has the request and is
     * reading the body; the drainer reports draining and the listening socket refuses new
     * connections, so shutdown is under way (and waiting for this request) before the rest of
     * the body is sent.
     */
    @Test
    void aDaprDeliveryInFlightWhenShutdownStartsStillGetsItsReply() throws Exception {
        var app = TasksyncInstance.start(Tokens.SECRET);
        ConnectionDrainer drainer = app.bean(ConnectionDrainer.class);
        byte[] body = ("{\"specversion\":\"1.0\",\"id\":\"inflight-1\",\"source\":\"s\",\"type\":\"t\","
                + "\"data\":{\"event_type\":\"task.created\",\"user_id\":\"u\",\"task\":{\"id\":1}}}")
                .getBytes(StandardCharsets.UTF_8);
        Thread stopper = new Thread(app::stop, "sigterm");
        try (var socket = new Socket("127.0.0.1", app.port())) {
            socket.setSoTimeout(15_000);
            var out = socket.getOutputStream();
            var in = socket.getInputStream();
            out.write(("POST /task-updates HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/cloudevents+json\r\n"
                    + "Expect: 100-continue\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(HttpHead.read(in)).as("the route accepted the request and waits for its body")
                    .startsWith("HTTP/1.1 100");
            out.write(body, 0, body.length / 2); // the request is in flight...
            out.flush();

            stopper.start(); // ...when shutdown begins
            Waits.until(drainer::isDraining, Duration.ofSeconds(10));
            Waits.until(() -> !accepts(app.port()), Duration.ofSeconds(10));
            assertThat(stopper.isAlive()).as("shutdown waits for the delivery in flight").isTrue();

            out.write(body, body.length / 2, body.length - body.length / 2);
            out.flush();
            String response = new String(in.readNBytes(512), StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 200").contains("SUCCESS");
            stopper.join(30_000);
            assertThat(stopper.isAlive()).as("shutdown completes once the delivery got its reply").isFalse();
        } finally {
            app.close();
        }
    }


    /** Whether the server still accepts TCP connections (it stops listening when its shutdown starts). */
    private static boolean accepts(int port) {
        try (var probe = new Socket()) {
            probe.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (java.io.IOException refused) {
            return false;
        }
    }

    private static int readiness(int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/actuator/health/readiness")).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
