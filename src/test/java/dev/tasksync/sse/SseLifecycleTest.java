package dev.tasksync.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.session.ConnectionDrainer;
import dev.tasksync.support.SseClient;
import dev.tasksync.support.TasksyncInstance;
import dev.tasksync.support.Tokens;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * SSE streams through a server's life: a drain ends every stream with a {@code close} event
 * (1001, with a spread-out {@code retry:}) and refuses new ones with 503; HTTP/2 carries the
 * stream as HTTP/1.1 does; a client that stops reading is closed as a slow consumer.
 */
class SseLifecycleTest {

    @Test
    void aDrainEndsStreamsWithGoingAwayAndASpreadRetryAndRefusesNewOnes() {
        try (var app = TasksyncInstance.startAsOwnProcessWould(Tokens.SECRET);
                var a = SseClient.connect(app.port(), "token=" + Tokens.forUser("alice"), Map.of());
                var b = SseClient.connect(app.port(), "token=" + Tokens.forUser("bob"), Map.of())) {
            a.next();
            b.next();
            ConnectionDrainer drainer = app.bean(ConnectionDrainer.class);
            drainer.stop(); // returns once the streams are gone (or its timeout passed)
            for (var client : new SseClient[] {a, b}) {
                var close = client.next();
                assertThat(close.event()).isEqualTo("close");
                assertThat(close.json().path("code").asInt()).isEqualTo(1001);
                assertThat(close.retry()).as("reconnect delay, ms").isBetween(500L, 5_000L);
                assertThat(client.endsWithin(Duration.ofSeconds(2))).isTrue();
            }
            try (var late = SseClient.connect(app.port(), "token=" + Tokens.forUser("carol"), Map.of())) {
                assertThat(late.status()).isEqualTo(503);
            }
            drainer.start();
        }
    }

    @Test
    void http2CarriesTheStream() {
        try (var app = TasksyncInstance.startAsOwnProcessWould(Tokens.SECRET, "--server.http2.enabled=true");
                var sse = SseClient.connect(app.port(), "token=" + Tokens.forUser("alice"), Map.of(),
                        HttpClient.Version.HTTP_2)) {
            assertThat(sse.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(sse.next().event()).isEqualTo("connected");
            var http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + app.port()).build();
            for (int i = 0; i < 3; i++) {
                new dev.tasksync.support.Deliveries(http).publish("h2-" + i,
                        dev.tasksync.support.Deliveries.taskEvent("task.created", "alice", Map.of("id", i)));
            }
            for (int i = 0; i < 3; i++) {
                assertThat(sse.next().id()).isEqualTo("h2-" + i);
            }
        }
    }

    @Test
    void aClientThatStopsReadingIsClosedAsASlowConsumer() throws Exception {
        try (var app = TasksyncInstance.startAsOwnProcessWould(Tokens.SECRET, "--tasksync.ws.max-pending-bytes=64KB",
                "--tasksync.ws.outbound-queue=64");
                var socket = new Socket("127.0.0.1", app.port())) {
            socket.setReceiveBufferSize(4096);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /sse?token=" + Tokens.forUser("slow") + " HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] head = new byte[12];
            assertThat(in.readNBytes(head, 0, 12)).isEqualTo(12);
            assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");

            // Never read again: the server's outbound buffer fills and the stream is cut.
            var http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + app.port()).build();
            var dapr = new dev.tasksync.support.Deliveries(http);
            String pad = "x".repeat(8_000);
            var metrics = app.bean(io.micrometer.core.instrument.MeterRegistry.class);
            int sent = 0;
            final long t0 = System.nanoTime();
            for (; sent < 2_000 && slowConsumerCloses(metrics) == 0; sent++) {
                dapr.publish(dev.tasksync.support.Deliveries.taskEvent("task.updated", "slow", Map.of("id", sent, "pad", pad)));
            }
            assertThat(slowConsumerCloses(metrics)).as("closed as a slow consumer (4008)").isEqualTo(1);
            // The server lets go of the stream (its close event is never flushed: the socket is closed
            // after the close timeout), so a stalled client cannot pin memory.
            var hub = app.bean(dev.tasksync.fanout.Hub.class);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (hub.connectionsOf("slow") > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(hub.connectionsOf("slow")).as("slow stream released").isZero();
            assertThat(System.nanoTime() - t0).as("cut and released within the close timeout")
                    .isLessThan(Duration.ofSeconds(30).toNanos());
        }
    }

    private static double slowConsumerCloses(io.micrometer.core.instrument.MeterRegistry metrics) {
        var c = metrics.find("tasksync.disconnects").tag("reason", "Slow consumer").counter();
        return c == null ? 0 : c.count();
    }
}
