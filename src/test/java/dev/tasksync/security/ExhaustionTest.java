package dev.tasksync.security;

import static dev.tasksync.support.Deliveries.taskEvent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.support.Deliveries;
import dev.tasksync.support.ServiceTest;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.Waits;
import dev.tasksync.support.WsClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * One attacker tries to exhaust the service on every front at once while a well-behaved user
 * keeps receiving its events: (a) connections beyond the per-user cap, (b) message floods
 * (4029), (c) frames over 64 KiB (1009), (d) slowloris handshakes (200 raw sockets sending an
 * HTTP request a byte at a time, never finishing). The victim's publish→receive latency is
 * measured just before (baseline) and during the attack. Default limits; loopback; bounded.
 */
@ServiceTest
class ExhaustionTest {

    private static final int EVENTS = 50;
    private static final long PACE_MS = 40;
    private static final int SLOWLORIS_SOCKETS = 200;
    private static final int CONNECTION_CAP = 20; // tasksync.ws.max-connections-per-user default
    private static final Duration ATTACK_BUDGET = Duration.ofSeconds(30);

    @LocalServerPort
    int port;
    @Autowired
    WebTestClient http;

    private final String victim = "victim-" + UUID.randomUUID();
    private final String attacker = "attacker-" + UUID.randomUUID();
    private final AtomicBoolean attacking = new AtomicBoolean(true);
    private final AtomicInteger overCapRefused = new AtomicInteger();
    private final AtomicInteger floodClosed = new AtomicInteger();
    private final AtomicInteger floodAborted = new AtomicInteger();
    private final AtomicInteger oversizeClosed = new AtomicInteger();
    private final AtomicInteger slowlorisBytes = new AtomicInteger();
    private final List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());

    @Test
    void wellBehavedUserIsServedDuringTheAttack() throws Exception {
        var dapr = new Deliveries(http);
        long deadline = System.nanoTime() + ATTACK_BUDGET.toNanos();
        List<WsClient> held = new ArrayList<>();
        List<Socket> slowloris = new ArrayList<>();
        ExecutorService attack = Executors.newFixedThreadPool(4);
        try (var victimWs = WsClient.connectAs(port, victim)) {
            measure(dapr, victimWs, 10, "warmup");
            long[] baseline = measure(dapr, victimWs, EVENTS, "baseline");

            // (a) the attacker fills its connection cap and keeps it full
            for (int i = 0; i < CONNECTION_CAP; i++) {
                held.add(WsClient.connectAs(port, attacker));
            }
            // (d) slowloris: open all sockets first, then trickle bytes from one thread
            for (int i = 0; i < SLOWLORIS_SOCKETS; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                slowloris.add(s);
            }
            List<Future<?>> attackers = List.of(
                    attack.submit(() -> overCap(deadline)),
                    attack.submit(() -> flood(deadline)),
                    attack.submit(() -> oversize(deadline)),
                    attack.submit(() -> trickle(slowloris, deadline)));
            Waits.sleep(1_000); // let every front ramp up

            long[] during = measure(dapr, victimWs, EVENTS, "during attack");

            attacking.set(false);
            for (Future<?> f : attackers) {
                f.get(20, TimeUnit.SECONDS);
            }
            long slowlorisOpen = slowloris.stream().filter(ExhaustionTest::stillOpen).count();
            System.out.printf("attack: over-cap refused (4029)=%d, floods closed (4029)=%d, floods cut without close frame=%d, oversize closed (1009)=%d, "
                            + "slowloris bytes sent=%d, slowloris sockets still open=%d/%d%n",
                    overCapRefused.get(), floodClosed.get(), floodAborted.get(), oversizeClosed.get(), slowlorisBytes.get(),
                    slowlorisOpen, SLOWLORIS_SOCKETS);
            System.out.printf("victim latency ms: baseline p50=%.1f max=%.1f | during attack p50=%.1f max=%.1f%n",
                    ms(p50(baseline)), ms(max(baseline)), ms(p50(during)), ms(max(during)));

            assertThat(unexpected).as("unexpected attack outcomes").isEmpty();
            assertThat(overCapRefused.get()).as("connections beyond the cap refused with 4029").isPositive();
            assertThat(floodClosed.get()).as("floods closed with 4029").isPositive();
            assertThat(oversizeClosed.get()).as("oversized frames closed with 1009").isPositive();
            assertThat(Duration.ofNanos(max(during))).as("victim's worst publish->receive during the attack")
                    .isLessThan(Duration.ofSeconds(1));

            // still up for newcomers, and the victim's own connection is intact
            try (var fresh = WsClient.connectAs(port, "after-" + UUID.randomUUID())) {
                fresh.send("{\"type\":\"ping\"}");
                assertThat(fresh.next().path("type").asString()).isEqualTo("pong");
            }
            victimWs.send("{\"type\":\"ping\"}");
            assertThat(victimWs.next().path("type").asString()).isEqualTo("pong");
        } finally {
            attacking.set(false);
            attack.shutdownNow();
            attack.awaitTermination(10, TimeUnit.SECONDS);
            held.forEach(WsClient::close);
            for (Socket s : slowloris) {
                s.close();
            }
        }
    }

    /** Publishes {@code n} events for the victim, one at a time; each latency in ns. */
    private long[] measure(Deliveries dapr, WsClient ws, int n, String phase) {
        long[] latencies = new long[n];
        for (int i = 0; i < n; i++) {
            String id = phase + "-" + i;
            long t0 = System.nanoTime();
            assertThat(dapr.publish(taskEvent("task.updated", victim, Map.of("id", id)))).isEqualTo("SUCCESS");
            JsonNode event = ws.next(Duration.ofSeconds(5));
            latencies[i] = System.nanoTime() - t0;
            assertThat(event.path("task").path("id").asString()).as(phase).isEqualTo(id);
            Waits.sleep(PACE_MS); // spread the samples over the attack
        }
        return latencies;
    }

    /** (a) Keeps knocking on the full connection cap. */
    private void overCap(long deadline) {
        while (running(deadline)) {
            try (var extra = WsClient.connect(port, Tokens.forUser(attacker))) {
                record(extra.awaitClose().getCode(), 4029, overCapRefused, "over cap");
            }
            Waits.sleep(50);
        }
    }

    /** (b) Connects as a fresh attacker identity and floods subscribe/ping until closed. */
    private void flood(long deadline) {
        while (running(deadline)) {
            try (var ws = WsClient.connectAs(port, attacker + "-flood-" + UUID.randomUUID())) {
                for (int i = 0; i < 300; i++) {
                    ws.send(i % 2 == 0 ? "{\"type\":\"ping\"}" : "{\"action\":\"subscribe\",\"topic\":\"list:" + i + "\"}");
                }
                int code = ws.awaitClose().getCode();
                if (code == 1005 || code == 1006) {
                    // the server closed while our frames were still arriving: its close frame can be
                    // lost to the TCP reset, so the client sees no status
                    floodAborted.incrementAndGet();
                } else {
                    record(code, 4029, floodClosed, "flood");
                }
            }
        }
    }

    /** (c) Sends one frame just over 64 KiB per connection. */
    private void oversize(long deadline) {
        String big = "{\"type\":\"ping\",\"pad\":\"" + "x".repeat(64 * 1024) + "\"}";
        while (running(deadline)) {
            try (var ws = WsClient.connectAs(port, attacker + "-big-" + UUID.randomUUID())) {
                ws.send(big);
                record(ws.awaitClose().getCode(), 1009, oversizeClosed, "oversize");
            }
            Waits.sleep(20);
        }
    }

    /** (d) One byte per socket per round, 20 rounds a second; the request never ends. */
    private void trickle(List<Socket> sockets, long deadline) {
        byte[] prefix = ("GET /ws?token=" + Tokens.forUser(attacker) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] filler = "X-Slow: a\r\n".getBytes(StandardCharsets.US_ASCII);
        int[] offset = new int[sockets.size()];
        while (running(deadline)) {
            for (int i = 0; i < sockets.size(); i++) {
                int o = offset[i]++;
                byte b = o < prefix.length ? prefix[o] : filler[(o - prefix.length) % filler.length];
                try {
                    OutputStream out = sockets.get(i).getOutputStream();
                    out.write(b);
                    out.flush();
                    slowlorisBytes.incrementAndGet();
                } catch (IOException closedByServer) {
                    // the server hung up on this one: that is fine
                }
            }
            Waits.sleep(50);
        }
    }

    private boolean running(long deadline) {
        return attacking.get() && System.nanoTime() < deadline && !Thread.currentThread().isInterrupted();
    }

    private void record(int code, int expected, AtomicInteger counter, String what) {
        if (code == expected) {
            counter.incrementAndGet();
        } else if (attacking.get()) {
            unexpected.add(what + " closed with " + code);
        }
    }

    private static boolean stillOpen(Socket s) {
        try {
            s.getOutputStream().write('a');
            s.getOutputStream().flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static long p50(long[] a) {
        long[] s = a.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static long max(long[] a) {
        return Arrays.stream(a).max().orElse(0);
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
