package dev.tasksync.security;

import dev.tasksync.support.Tokens;
import dev.tasksync.support.Waits;
import dev.tasksync.support.WsClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The attacker of {@link ExhaustionTest}, run as a process of its own (it stands for other
 * machines: its CPU work, JIT and event loops are not the server's). Runs the named attacks
 * against {@code 127.0.0.1:port} until its standard input closes or its time is up, prints
 * {@code RAMPED} once every attack is under way and one {@code RESULT key=value …} line at the end.
 * Every loop is bounded by the deadline.
 *
 * <p>Arguments: {@code port seconds attack[,attack…]}, attacks {@code over-cap}, {@code flood},
 * {@code oversize}, {@code slowloris}.
 */
public final class Attacker {

    static final int CONNECTION_CAP = 20; // tasksync.ws.max-connections-per-user default
    static final int SLOWLORIS_SOCKETS = 200;
    private static final long TRICKLE_MS = 50;

    private final int port;
    private final long deadline;
    private final String identity = "attacker-" + UUID.randomUUID();
    private volatile boolean stopped;
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

    private Attacker(int port, long deadline) {
        this.port = port;
        this.deadline = deadline;
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long deadline = System.nanoTime() + Long.parseLong(args[1]) * 1_000_000_000L;
        List<String> attacks = List.of(args[2].split(","));
        var attacker = new Attacker(port, deadline);
        var ramped = new CountDownLatch(attacks.size());
        List<Thread> threads = new ArrayList<>();
        for (String attack : attacks) {
            Runnable loop = switch (attack) {
                case "over-cap" -> () -> attacker.overCap(ramped);
                case "flood" -> () -> attacker.flood(ramped);
                case "oversize" -> () -> attacker.oversize(ramped);
                case "slowloris" -> () -> attacker.slowloris(ramped);
                default -> throw new IllegalArgumentException("unknown attack " + attack);
            };
            Thread t = new Thread(() -> {
                try {
                    loop.run();
                } catch (RuntimeException e) {
                    attacker.count("failed " + attack + ": " + e);
                    ramped.countDown();
                }
            }, attack);
            t.start();
            threads.add(t);
        }
        Thread stdin = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // the test closes our input to stop us
                }
            } catch (IOException ignored) {
                // same
            }
            attacker.stopped = true;
        }, "stdin");
        stdin.setDaemon(true);
        stdin.start();
        ramped.await();
        System.out.println("RAMPED");
        System.out.flush();
        for (Thread t : threads) {
            t.join();
        }
        var sorted = new TreeMap<>(attacker.counts);
        StringBuilder line = new StringBuilder("RESULT");
        sorted.forEach((k, v) -> line.append(' ').append(k.replace(' ', '_')).append('=').append(v.get()));
        System.out.println(line);
        System.out.flush();
        System.exit(0);
    }

    private boolean running() {
        return !stopped && System.nanoTime() < deadline;
    }

    private void count(String what) {
        counts.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
    }

    private void closedWith(String attack, int code) {
        count(attack + ".closed." + code);
    }

    /** Fills this identity's connection cap, holds it, and keeps knocking (4029). */
    private void overCap(CountDownLatch ramped) {
        List<WsClient> held = new ArrayList<>();
        try {
            for (int i = 0; i < CONNECTION_CAP; i++) {
                held.add(WsClient.connectAs(port, identity));
            }
            ramped.countDown();
            while (running()) {
                try (var extra = WsClient.connect(port, Tokens.forUser(identity))) {
                    closedWith("over-cap", extra.awaitClose().getCode());
                }
                Waits.sleep(50);
            }
        } finally {
            held.forEach(WsClient::close);
        }
    }

    /** A fresh identity per connection, 300 messages at once: closed at the rate limit (4029). */
    private void flood(CountDownLatch ramped) {
        boolean first = true;
        while (running()) {
            try (var ws = WsClient.connectAs(port, identity + "-flood-" + UUID.randomUUID())) {
                for (int i = 0; i < 300; i++) {
                    ws.send(i % 2 == 0 ? "{\"type\":\"ping\"}" : "{\"action\":\"subscribe\",\"topic\":\"list:" + i + "\"}");
                }
                // 1005/1006: the server's close frame lost to the reset of a socket still receiving our frames
                closedWith("flood", ws.awaitClose().getCode());
            }
            if (first) {
                first = false;
                ramped.countDown();
            }
        }
    }

    /** One frame just over 64 KiB per connection (1009). */
    private void oversize(CountDownLatch ramped) {
        String big = "{\"type\":\"ping\",\"pad\":\"" + "x".repeat(64 * 1024) + "\"}";
        boolean first = true;
        while (running()) {
            try (var ws = WsClient.connectAs(port, identity + "-big-" + UUID.randomUUID())) {
                ws.send(big);
                closedWith("oversize", ws.awaitClose().getCode());
            }
            if (first) {
                first = false;
                ramped.countDown();
            }
            Waits.sleep(20);
        }
    }

    /**
     * {@link #SLOWLORIS_SOCKETS} sockets, each trickling an upgrade request a byte at a time (one
     * byte per socket every 50 ms) that never ends. A socket the server closes is replaced by a new
     * one; how long each was held is counted in whole seconds ({@code slowloris.held.<s>}).
     */
    private void slowloris(CountDownLatch ramped) {
        byte[] request = ("GET /ws?token=" + Tokens.forUser(identity) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] filler = "X-Slow: a\r\n".getBytes(StandardCharsets.US_ASCII);
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < SLOWLORIS_SOCKETS; i++) {
                open(selector);
            }
            ramped.countDown();
            ByteBuffer sink = ByteBuffer.allocate(4096);
            while (running()) {
                long roundEnd = System.nanoTime() + TRICKLE_MS * 1_000_000;
                for (SelectionKey key : List.copyOf(selector.keys())) {
                    if (!key.isValid()) {
                        continue; // ended, not yet deregistered
                    }
                    Trickle t = (Trickle) key.attachment();
                    int o = t.sent++;
                    byte b = o < request.length ? request[o] : filler[(o - request.length) % filler.length];
                    try {
                        ((SocketChannel) key.channel()).write(ByteBuffer.wrap(new byte[] {b}));
                    } catch (IOException closedByServer) {
                        ended(selector, key);
                    }
                }
                // Whatever the server answers (it should not) or its end of the stream, until the round is over.
                long waitMs;
                while ((waitMs = (roundEnd - System.nanoTime()) / 1_000_000) > 0) {
                    selector.select(waitMs);
                    for (SelectionKey key : selector.selectedKeys()) {
                        if (!key.isValid()) {
                            continue;
                        }
                        try {
                            sink.clear();
                            if (((SocketChannel) key.channel()).read(sink) < 0) {
                                ended(selector, key);
                            } else {
                                count("slowloris.answered");
                            }
                        } catch (IOException reset) {
                            ended(selector, key);
                        }
                    }
                    selector.selectedKeys().clear();
                }
            }
            count("slowloris.open_at_end", selector.keys().stream().filter(SelectionKey::isValid).count());
            for (SelectionKey key : selector.keys()) {
                key.channel().close();
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void count(String what, long n) {
        counts.computeIfAbsent(what, k -> new AtomicLong()).addAndGet(n);
    }

    /** One trickled request: when its socket was opened, bytes sent so far. */
    private static final class Trickle {
        final long openedNanos = System.nanoTime();
        int sent;
    }

    private void open(Selector selector) throws IOException {
        SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        ch.configureBlocking(false);
        ch.register(selector, SelectionKey.OP_READ, new Trickle());
        count("slowloris.opened");
    }

    private void ended(Selector selector, SelectionKey key) {
        Trickle t = (Trickle) key.attachment();
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException ignored) {
            // closed already
        }
        long heldMs = (System.nanoTime() - t.openedNanos) / 1_000_000;
        count("slowloris.held_max_ms", 0);
        counts.get("slowloris.held_max_ms").accumulateAndGet(heldMs, Math::max);
        counts.computeIfAbsent("slowloris.held_min_ms", k -> new AtomicLong(Long.MAX_VALUE)).accumulateAndGet(heldMs, Math::min);
        count("slowloris.closed_by_server");
        if (running()) {
            try {
                open(selector);
            } catch (IOException e) {
                count("slowloris.reopen_failed");
            }
        }
    }
}
