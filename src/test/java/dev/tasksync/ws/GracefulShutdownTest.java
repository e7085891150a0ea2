package dev.tasksync.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.support.TasksyncInstance;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
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
            assertThat(readiness(app.port())).as("readiness is down while draining").isEqualTo(503);
            try (var late = WsClient.connect(app.port(), Tokens.forUser("bob"))) {
                assertThat(late.awaitClose()).extracting(CloseStatus::getCode).isEqualTo(1001);
            }

            drainer.start(); // a restarted lifecycle serves again
            assertThat(readiness(app.port())).isEqualTo(200);
        }
    }

    @Test
    void stopClosesClientsWithGoingAwayPromptly() {
        var app = TasksyncInstance.start(Tokens.SECRET);
        try (var a = WsClient.connectAs(app.port(), "alice"); var b = WsClient.connectAs(app.port(), "bob")) {
            long started = System.nanoTime();
            app.stop();
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(a.awaitClose()).extracting(CloseStatus::getCode).isEqualTo(1001);
            assertThat(b.awaitClose()).extracting(CloseStatus::getCode).isEqualTo(1001);
            // Without draining, graceful shutdown waits its full 20 s timeout for the open sockets.
            assertThat(took).isLessThan(Duration.ofSeconds(10));
        } finally {
            app.close();
        }
    }

    @Test
    void aDaprDeliveryInFlightWhenShutdownStartsStillGetsItsReply() throws Exception {
        var app = TasksyncInstance.start(Tokens.SECRET);
        byte[] body = ("{\"specversion\":\"1.0\",\"id\":\"inflight-1\",\"source\":\"s\",\"type\":\"t\","
                + "\"data\":{\"event_type\":\"task.created\",\"user_id\":\"u\",\"task\":{\"id\":1}}}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (var socket = new java.net.Socket("127.0.0.1", app.port())) {
            socket.setSoTimeout(15_000);
            var out = socket.getOutputStream();
            out.write(("POST /task-updates HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/cloudevents+json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.write(body, 0, body.length / 2); // the request is in flight...
            out.flush();
            Thread.sleep(300);
            Thread stopper = new Thread(app::stop, "sigterm");
            stopper.start(); // ...when shutdown begins
            Thread.sleep(1000);
            out.write(body, body.length / 2, body.length - body.length / 2);
            out.flush();
            String response = new String(socket.getInputStream().readNBytes(512), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 200").contains("SUCCESS");
            stopper.join(30_000);
        } finally {
            app.close();
        }
    }

    private static int readiness(int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/actuator/health/readiness")).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
