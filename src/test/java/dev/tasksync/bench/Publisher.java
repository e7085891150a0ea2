package dev.tasksync.bench;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufMono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The benchmark's producer: posts CloudEvents to tasksync's Dapr route exactly as a sidecar
 * does (one event per request, or Dapr's bulk-subscribe envelope with {@code --bulk N}
 * entries), every event to every {@code --targets} replica. Each event carries the wall-clock
 * {@code sent_us} stamp the load clients measure latency from.
 *
 * <ul>
 *   <li>{@code --mode rate}: {@code --rate} events/s for {@code --seconds} to users
 *       {@code u<offset>..u<offset+users-1>} (round robin).</li>
 *   <li>{@code --mode max}: as many as {@code --concurrency} requests in flight allow; reports
 *       events/s acknowledged SUCCESS.</li>
 *   <li>{@code --mode broadcast}: one event on {@code --topic}, to every target at once; with
 *       {@code --count N --interval-ms M}, N of them, one every M ms (each answered before the next
 *       is due), each with its own {@code sent_us} stamp.</li>
 *   <li>{@code --mode dapr-fill}: {@code --count} task events into Kafka through daprd's bulk
 *       publish API at {@code --targets} (a daprd HTTP endpoint), {@code --bulk} per call.</li>
 * </ul>
 *
 * <p>Before the measured phase it prints {@code started} (with its own CPU seconds so far, as
 * {@code published} does, so the orchestrator can tell whether the publisher was the limit);
 * with {@code --gate true} it first prints {@code gated} and waits for {@code go} on stdin, so
 * the orchestrator can measure the servers' idle CPU just before.
 */
public final class Publisher {

    private final BenchArgs args;
    private final List<String> targets;
    private final HttpClient http;
    private final int bulk;
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong seq = new AtomicLong();
    private final AtomicLong nextUser = new AtomicLong();

    private Publisher(BenchArgs args) {
        this.args = args;
        this.targets = args.list("targets");
        this.bulk = args.integer("bulk", 0);
        int concurrency = args.integer("concurrency", 64);
        this.http = HttpClient.create(ConnectionProvider.builder("bench").maxConnections(concurrency * targets.size())
                        .pendingAcquireMaxCount(-1).build())
                .headers(h -> h.set(HttpHeaderNames.CONTENT_TYPE, bulk > 0
                        ? "application/json" : "application/cloudevents+json"))
                .option(io.netty.channel.ChannelOption.TCP_NODELAY, true)
                .responseTimeout(Duration.ofSeconds(30));
    }

    public static void main(String[] argv) throws Exception {
        Publisher p = new Publisher(BenchArgs.parse(argv));
        p.warmUp();
        if (!"dapr-fill".equals(p.args.string("mode", "rate"))) {
            if (Boolean.parseBoolean(p.args.string("gate", "false"))) {
                Out.awaitGo(new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8)));
            }
            Out.print("started", "cpu_s", Out.cpuSeconds());
        }
        switch (p.args.string("mode", "rate")) {
            case "rate" -> p.rate();
            case "max" -> p.max();
            case "broadcast" -> p.broadcast();
            case "dapr-fill" -> p.daprFill();
            default -> throw new IllegalArgumentException("unknown --mode");
        }
        System.exit(0);
    }

    /**
     * A fresh JVM's first request spends hundreds of milliseconds loading classes and opening
     * the connection; that must not count as delivery latency, so every target is called first.
     */
    private void warmUp() {
        if ("dapr-fill".equals(args.string("mode", "rate"))) {
            return;
        }
        for (int round = 0; round < 3; round++) {
            for (String target : targets) {
                http.get().uri(target + "/health").responseSingle((r, b) -> b.then(Mono.just(r.status().code())))
                        .block(Duration.ofSeconds(30));
            }
        }
    }

    private void rate() throws InterruptedException {
        double rate = args.decimal("rate", 1000);
        int seconds = args.integer("seconds", 10);
        int perRequest = Math.max(1, bulk);
        Semaphore inFlight = new Semaphore(args.integer("concurrency", 64));
        long requests = Math.round(rate * seconds / perRequest);
        long start = System.nanoTime();
        long behind = 0;
        for (long i = 0; i < requests; i++) {
            long due = start + Math.round(i * perRequest * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            } else if (wait < -TimeUnit.MILLISECONDS.toNanos(50)) {
                behind++;
            }
            inFlight.acquire();
            send(body(perRequest), inFlight);
        }
        inFlight.acquire(args.integer("concurrency", 64));
        report(System.nanoTime() - start, "behind_ticks", behind);
    }

    private void max() throws InterruptedException {
        int concurrency = args.integer("concurrency", 64);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(args.integer("seconds", 10));
        Semaphore inFlight = new Semaphore(concurrency);
        long start = System.nanoTime();
        int perRequest = Math.max(1, bulk);
        while (System.nanoTime() < deadline) {
            if (inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                send(body(perRequest), inFlight);
            }
        }
        inFlight.acquire(concurrency);
        report(System.nanoTime() - start);
    }

    private void broadcast() throws InterruptedException {
        int count = Math.max(1, args.integer("count", 1));
        long interval = TimeUnit.MILLISECONDS.toNanos(args.integer("interval-ms", 300));
        Semaphore inFlight = new Semaphore(targets.size());
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long wait = start + i * interval - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            inFlight.acquire();
            send(topicBody(args.string("topic", "bench:all")), inFlight);
            inFlight.acquire(targets.size()); // every target answered
            inFlight.release(targets.size());
        }
        report(System.nanoTime() - start);
    }

    private void daprFill() {
        int count = args.integer("count", 10_000);
        int per = Math.max(1, bulk);
        long start = System.nanoTime();
        for (int sent = 0; sent < count; sent += per) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < Math.min(per, count - sent); i++) {
                sb.append(i > 0 ? "," : "").append("{\"entryId\":\"").append(i)
                        .append("\",\"contentType\":\"application/json\",\"event\":").append(taskData()).append('}');
            }
            Integer status = http.headers(h -> h.set(HttpHeaderNames.CONTENT_TYPE, "application/json")).post()
                    .uri(targets.get(0) + "/v1.0-alpha1/publish/bulk/taskpubsub/task-updates")
                    .send(ByteBufMono.fromString(Mono.just(sb.append(']').toString())))
                    .responseSingle((resp, body) -> Mono.just(resp.status().code())).block(Duration.ofSeconds(60));
            if (status == null || status / 100 != 2) {
                errors.incrementAndGet();
            } else {
                acked.addAndGet(Math.min(per, count - sent));
            }
        }
        report(System.nanoTime() - start);
    }

    private void report(long nanos, Object... extra) {
        double s = nanos / 1e9;
        Object[] base = {"acked", acked.get(), "rejected", rejected.get(), "errors", errors.get(),
                "seconds", Math.round(s * 100) / 100.0, "acked_per_s", Math.round(acked.get() / s),
                "cpu_s", Out.cpuSeconds()};
        Object[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        Out.print("published", all);
    }

    /** Sends one request body to every target; releases one permit per target when answered. */
    private void send(byte[] body, Semaphore inFlight) {
        int events = Math.max(1, bulk);
        for (int t = 0; t < targets.size(); t++) {
            if (t > 0) {
                inFlight.acquireUninterruptibly();
            }
            http.post().uri(targets.get(t) + "/task-updates")
                    .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(body)))
                    .responseSingle((resp, content) -> content.asString().defaultIfEmpty("")
                            .map(text -> resp.status().code() == 200 ? successes(text) : -1))
                    .subscribe(ok -> {
                        if (ok < 0) {
                            errors.incrementAndGet();
                        } else {
                            acked.addAndGet(ok);
                            rejected.addAndGet(events - ok);
                        }
                        inFlight.release();
                    }, e -> {
                        errors.incrementAndGet();
                        inFlight.release();
                    });
        }
    }

    private static int successes(String reply) {
        int n = 0;
        for (int i = reply.indexOf("SUCCESS"); i >= 0; i = reply.indexOf("SUCCESS", i + 1)) {
            n++;
        }
        return n;
    }

    private byte[] body(int events) {
        if (bulk == 0) {
            return cloudEvent(taskData()).getBytes(StandardCharsets.UTF_8);
        }
        StringBuilder sb = new StringBuilder("{\"id\":\"b").append(seq.get())
                .append("\",\"pubsubname\":\"taskpubsub\",\"topic\":\"task-updates\",\"type\":\"com.dapr.event.sent\",\"entries\":[");
        for (int i = 0; i < events; i++) {
            if (i > 0) {
                sb.append(',');
            }
            String event = cloudEvent(taskData());
            sb.append("{\"entryId\":\"e").append(i).append("\",\"contentType\":\"application/cloudevents+json\",\"event\":")
                    .append(event).append('}');
        }
        return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private byte[] topicBody(String topic) {
        // --pad N: about N bytes of task-like text in the payload (the compression rows).
        String data = "{\"topic\":\"" + topic + "\",\"event\":\"bench.broadcast\",\"data\":{\"sent_us\":"
                + LoadClient.nowMicros() + padding() + "}}";
        return cloudEvent(data).getBytes(StandardCharsets.UTF_8);
    }

    private String taskData() {
        long n = seq.incrementAndGet();
        int users = args.integer("users", 1000);
        long user = args.integer("user-offset", 0) + (nextUser.getAndIncrement() % users);
        return "{\"event_type\":\"task.updated\",\"user_id\":\"u" + user + "\",\"task\":{\"id\":\"t" + n
                + "\",\"title\":\"Benchmark task " + n + "\",\"status\":\"in_progress\",\"sent_us\":"
                + LoadClient.nowMicros() + "}}";
    }

    private String padding() {
        int n = args.integer("pad", 0);
        if (n <= 0) {
            return "";
        }
        var sb = new StringBuilder(",\"items\":[");
        for (int i = 0; sb.length() < n; i++) {
            sb.append(i > 0 ? "," : "").append("{\"id\":\"t").append(i).append("\",\"title\":\"Review the quarterly plan, item ")
                    .append(i).append("\",\"status\":\"").append(i % 3 == 0 ? "done" : "in_progress").append("\"}");
        }
        return sb.append(']').toString();
    }

    private String cloudEvent(String data) {
        return "{\"specversion\":\"1.0\",\"id\":\"ev-" + ProcessHandle.current().pid() + "-" + seq.incrementAndGet()
                + "\",\"source\":\"bench\",\"type\":\"com.dapr.event.sent\",\"datacontenttype\":\"application/json\","
                + "\"data\":" + data + "}";
    }
}
