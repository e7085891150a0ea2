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
import java.util.LinkedHashMap;
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
 * One attacker tries to exhaust the service while a well-behaved user keeps receiving its events:
 * (a) connections beyond the per-user cap (4029), (b) message floods (4029), (c) frames over
 * 64 KiB (1009), (d) slowloris handshakes (200 raw sockets sending an HTTP request a byte at a
 * time, never finishing), each alone and then all at once. The victim's publish→receive latency
 * is measured before the attacks (baseline) and during each one: its p99 under attack must stay
 * within {@link #FACTOR} of its baseline p99 (the reliability goal). The attacker's WebSocket
 * clients run on event loops of their own ({@link WsClient#connectForeign}), not the server's.
 * Default limits; loopback; bounded.
 */
@ServiceTest
class ExhaustionTest {

    private static final int SAMPLES = 100;
    private static final long PACE_MS = 20;
    private static final int SLOWLORIS_SOCKETS = 200;
    private static final int CONNECTION_CAP = 20; // tasksync.ws.max-connections-per-user default
    private static final Duration PHASE_BUDGET = Duration.ofSeconds(20);
    /** The reliability goal: a user's p99 under attack at most twice its own baseline p99. */
    private static final double FACTOR = 2.0;
    /**
     * The baseline p99 the factor applies to is at least this: on loopback it can be a few
     * milliseconds, where a single scheduler hiccup on a 2-core machine would double it.
     */
    private static final Duration BASELINE_FLOOR = Duration.ofMillis(10);

    @LocalServerPort
    int port;
    @Autowired
    WebTestClient http;

    private final String victim = "victim-" + UUID.randomUUID();
    private final String attacker = "attacker-" + UUID.randomUUID();
    private final AtomicBoolean attacking = new AtomicBoolean();
    private volatile long deadline;
    private final AtomicInteger overCapRefused = new AtomicInteger();
    private final AtomicInteger floodClosed = new AtomicInteger();
    private final AtomicInteger floodAborted = new AtomicInteger();
    private final AtomicInteger oversizeClosed = new AtomicInteger();
    private final AtomicInteger slowlorisBytes = new AtomicInteger();
    private final AtomicInteger slowlorisWriteErrors = new AtomicInteger();
    /** Bytes already sent on each slowloris socket (one request per socket, continued phase after phase). */
    private final Map<Integer, Integer> slowlorisOffsets = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());

    @Test
    void wellBehavedUserIsServedDuringEachAttack() throws Exception {
        var dapr = new Deliveries(http);
        List<WsClient> held = new ArrayList<>();
        List<Socket> slowloris = new ArrayList<>();
        ExecutorService attack = Executors.newFixedThreadPool(4);
        try (var victimWs = WsClient.connectAs(port, victim)) {
            measure(dapr, victimWs, 20, "warmup");
            long[] baseline = measure(dapr, victimWs, SAMPLES, "baseline");
            Map<String, long[]> during = new LinkedHashMap<>();

            // (a) the attacker fills its connection cap and keeps knocking
            for (int i = 0; i < CONNECTION_CAP; i++) {
                held.add(WsClient.connectAsForeign(port, attacker));
            }
            int refused = overCapRefused.get();
            during.put("over cap", underAttack(attack, dapr, victimWs, "over-cap", this::overCap));
            assertThat(overCapRefused.get() - refused).as("connections beyond the cap refused with 4029").isPositive();

            int flooded = floodClosed.get() + floodAborted.get();
            during.put("flood", underAttack(attack, dapr, victimWs, "flood", this::flood));
            assertThat(floodClosed.get() + floodAborted.get() - flooded).as("flooding connections closed").isPositive();

            int oversized = oversizeClosed.get();
            during.put("oversize", underAttack(attack, dapr, victimWs, "oversize", this::oversize));
            assertThat(oversizeClosed.get() - oversized).as("oversized frames closed with 1009").isPositive();

            // (d) slowloris: open all sockets first, then trickle bytes from one thread
            for (int i = 0; i < SLOWLORIS_SOCKETS; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                slowloris.add(s);
            }
            int trickled = slowlorisBytes.get();
            during.put("slowloris", underAttack(attack, dapr, victimWs, "slowloris", () -> trickle(slowloris)));
            assertThat(slowlorisBytes.get() - trickled).as("slowloris bytes the server took")
                    .isGreaterThanOrEqualTo(SLOWLORIS_SOCKETS * 10);

            during.put("all at once", underAttack(attack, dapr, victimWs, "all", this::overCap, this::flood, this::oversize,
                    () -> trickle(slowloris)));

            long slowlorisOpen = slowloris.stream().filter(ExhaustionTest::stillOpen).count();
            System.out.printf("attack: over-cap refused (4029)=%d, floods closed (4029)=%d, floods cut without close frame=%d, oversize closed (1009)=%d, "
                            + "slowloris bytes sent=%d (write errors %d), slowloris sockets still open=%d/%d%n",
                    overCapRefused.get(), floodClosed.get(), floodAborted.get(), oversizeClosed.get(), slowlorisBytes.get(),
                    slowlorisWriteErrors.get(), slowlorisOpen, SLOWLORIS_SOCKETS);
            long limit = (long) (FACTOR * Math.max(p99(baseline), BASELINE_FLOOR.toNanos()));
            System.out.printf("victim latency ms: baseline p50=%.1f p99=%.1f max=%.1f; limit under attack p99 <= %.1f%n",
                    ms(p50(baseline)), ms(p99(baseline)), ms(max(baseline)), ms(limit));
            during.forEach((phase, l) -> System.out.printf("  during %-11s p50=%.1f p99=%.1f max=%.1f%n", phase,
                    ms(p50(l)), ms(p99(l)), ms(max(l))));

            assertThat(unexpected).as("unexpected attack outcomes").isEmpty();
            // README (Security, "Not covered yet"): there is no timeout for a trickled request, each
            // slowloris socket is held until the client gives up. Held for the whole run means the
            // attack was in force during every measurement it was part of.
            assertThat(slowlorisWriteErrors.get()).as("slowloris writes the server refused").isZero();
            assertThat(slowlorisOpen).as("slowloris sockets still held by the server").isEqualTo(SLOWLORIS_SOCKETS);
            during.forEach((phase, l) -> assertThat(Duration.ofNanos(p99(l)))
                    .as("victim's p99 during the %s attack vs %.1f x its baseline p99 (%.1f ms, floor %d ms)", phase, FACTOR,
                            ms(p99(baseline)), BASELINE_FLOOR.toMillis())
                    .isLessThanOrEqualTo(Duration.ofNanos(limit)));

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

    /** Runs the attackers, lets them ramp up, measures the victim meanwhile, then stops them. */
    private long[] underAttack(ExecutorService pool, Deliveries dapr, WsClient victimWs, String phase, Runnable... attackers)
            throws Exception {
        deadline = System.nanoTime() + PHASE_BUDGET.toNanos();
        attacking.set(true);
        List<Future<?>> running = new ArrayList<>();
        for (Runnable a : attackers) {
            running.add(pool.submit(a));
        }
        try {
            Waits.sleep(500); // let the attack ramp up
            long[] latencies = measure(dapr, victimWs, SAMPLES, "during " + phase);
            assertThat(System.nanoTime()).as("the " + phase + " attack lasted the whole measurement").isLessThan(deadline);
            return latencies;
        } finally {
            attacking.set(false);
            for (Future<?> f : running) {
                f.get(20, TimeUnit.SECONDS);
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
    private void overCap() {
        while (running()) {
            try (var extra = WsClient.connectForeign(port, Tokens.forUser(attacker))) {
                record(extra.awaitClose().getCode(), 4029, overCapRefused, "over cap");
            }
            Waits.sleep(50);
        }
    }

    /** (b) Connects as a fresh attacker identity and floods subscribe/ping until closed. */
    private void flood() {
        while (running()) {
            try (var ws = WsClient.connectAsForeign(port, attacker + "-flood-" + UUID.randomUUID())) {
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
    private void oversize() {
        String big = "{\"type\":\"ping\",\"pad\":\"" + "x".repeat(64 * 1024) + "\"}";
        while (running()) {
            try (var ws = WsClient.connectAsForeign(port, attacker + "-big-" + UUID.randomUUID())) {
                ws.send(big);
                record(ws.awaitClose().getCode(), 1009, oversizeClosed, "oversize");
            }
            Waits.sleep(20);
        }
    }

    /** (d) One byte per socket per round, 20 rounds a second; the request never ends. */
    private void trickle(List<Socket> sockets) {
        byte[] prefix = ("GET /ws?token=" + Tokens.forUser(attacker) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] filler = "X-Slow: a\r\n".getBytes(StandardCharsets.US_ASCII);
        while (running()) {
            for (int i = 0; i < sockets.size(); i++) {
                int o = slowlorisOffsets.merge(i, 1, Integer::sum) - 1;
                byte b = o < prefix.length ? prefix[o] : filler[(o - prefix.length) % filler.length];
                try {
                    OutputStream out = sockets.get(i).getOutputStream();
                    out.write(b);
                    out.flush();
                    slowlorisBytes.incrementAndGet();
                } catch (IOException closedByServer) {
                    slowlorisWriteErrors.incrementAndGet();
                }
            }
            Waits.sleep(50);
        }
    }

    private boolean running() {
        return attacking.get() && System.nanoTime() < deadline && !Thread.currentThread().isInterrupted();
    }

    private void record(int code, int expected, AtomicInteger counter, String what) {
        if (code == expected) {
            counter.incrementAndGet();
        } else if (attacking.get()) {
            unexpected.add(what + " closed with " + code);
        }
    }

    /** Open: no answer and no end of stream within 200 ms (a refused or timed-out request would get one). */
    private static boolean stillOpen(Socket s) {
        try {
            s.setSoTimeout(200);
            s.getInputStream().read(); // data (an error response) or the end of the stream: not held open
            return false;
        } catch (java.net.SocketTimeoutException nothingYet) {
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

    /** Nearest-rank 99th percentile. */
    private static long p99(long[] a) {
        long[] s = a.clone();
        Arrays.sort(s);
        return s[(int) Math.ceil(0.99 * s.length) - 1];
    }

    private static long max(long[] a) {
        return Arrays.stream(a).max().orElse(0);
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
