package dev.tasksync.ops;

import dev.tasksync.fanout.Delivery;
import dev.tasksync.fanout.Frame;
import dev.tasksync.fanout.Hub;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The service's own meters. Counters are looked up once per tag value and cached, so the
 * hot path is an atomic add, never a registry lookup.
 */
public final class TasksyncMetrics {

    private final MeterRegistry registry;
    private final Counter deliveries;
    private final Counter slowConsumerDrops;
    private final Counter duplicates;
    // Per-event counters resolved once: the hot path does no key building or map lookup.
    private final Counter taskEvents;
    private final Counter topicEvents;
    private final Counter successReplies;
    private final DistributionSummary bulkBatches;
    // Delivery latency, resolved once: recording is a histogram update, no lookup, no allocation.
    private final Timer eventLatency;
    private final Timer inProcessLatency;
    private final Clock clock;
    private final Map<String, Counter> cache = new ConcurrentHashMap<>();

    public TasksyncMetrics(MeterRegistry registry, Hub hub, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        // Wall clock against the producer's clock: millisecond resolution, negatives (skew) count as 0.
        this.eventLatency = Timer.builder("tasksync.delivery.latency")
                .description("Event time (CloudEvent time, else receipt) to the frame being written to the WebSocket")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
        // Monotonic clock, this process only: free of clock skew, shows the service's own share.
        this.inProcessLatency = Timer.builder("tasksync.delivery.inprocess.latency")
                .description("Delivery read by this process to the frame being written to the WebSocket")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        this.deliveries = Counter.builder("tasksync.deliveries")
                .description("Frames handed to a connection's queue").register(registry);
        this.slowConsumerDrops = Counter.builder("tasksync.drops").tag("reason", "not_accepted")
                .description("Frames a connection did not accept (its queue overflowed, or it was closing)")
                .register(registry);
        this.duplicates = Counter.builder("tasksync.events.duplicates")
                .description("Redelivered events (same CloudEvent id) not delivered again").register(registry);
        this.taskEvents = counter("tasksync.events.received", "kind", "task");
        this.topicEvents = counter("tasksync.events.received", "kind", "topic");
        this.successReplies = counter("tasksync.dapr.replies", "status", "SUCCESS", "reason", "ok");
        this.bulkBatches = DistributionSummary.builder("tasksync.dapr.bulk.entries")
                .description("Entries per bulk-subscribe delivery from Dapr").register(registry);
        Gauge.builder("tasksync.connections", hub, Hub::connectionCount).register(registry);
        Gauge.builder("tasksync.users", hub, Hub::userCount).register(registry);
        Gauge.builder("tasksync.topics", hub, Hub::topicCount).register(registry);
    }

    public void delivered(Delivery d) {
        if (d.delivered() > 0) {
            deliveries.increment(d.delivered());
        }
        if (d.dropped() > 0) {
            slowConsumerDrops.increment(d.dropped());
        }
    }

    /**
     * A frame is being written to its WebSocket. Live events are measured; replies and replayed
     * history are not ({@link Frame#timed()}). Called once per delivery: keep it allocation-free.
     */
    public void written(Frame frame) {
        if (!frame.timed()) {
            return;
        }
        eventLatency.record(Math.max(0, clock.millis() - frame.eventTimeMillis()), TimeUnit.MILLISECONDS);
        inProcessLatency.record(System.nanoTime() - frame.receivedNanos(), TimeUnit.NANOSECONDS);
    }

    /** A frame a connection had accepted was not written (it overflowed or closed meanwhile). */
    public void notWritten() {
        slowConsumerDrops.increment();
    }

    public void duplicate() {
        duplicates.increment();
    }

    public void authFailure(String reason) {
        counter("tasksync.auth.failures", "reason", reason).increment();
    }

    public void taskEventReceived() {
        taskEvents.increment();
    }

    public void topicEventReceived() {
        topicEvents.increment();
    }

    public void daprSuccess() {
        successReplies.increment();
    }

    /** One bulk-subscribe request from the sidecar carrying {@code entries} events. */
    public void bulkDelivery(int entries) {
        bulkBatches.record(entries);
    }

    /** A DROP or RETRY reply, by reason (rare: resolved per call). */
    public void daprReply(String status, String reason) {
        counter("tasksync.dapr.replies", "status", status, "reason", reason).increment();
    }

    /** A connection was admitted and joined over {@code transport} ({@code ws} or {@code sse}). */
    public void opened(String transport) {
        counter("tasksync.connections.opened", "transport", transport).increment();
    }

    /** A connection ended; {@code reason} is the server's close reason or "client". */
    public void disconnected(String reason) {
        counter("tasksync.disconnects", "reason", reason == null ? "unknown" : reason).increment();
    }

    /** A client signal's fate: {@code sent}, {@code received} (from another replica), {@code refused_<why>}. */
    public void signal(String outcome) {
        counter("tasksync.signals", "outcome", outcome).increment();
    }

    /** Connections a signal was handed to. */
    public void signalsDelivered(int n) {
        if (n > 0) {
            counter("tasksync.signals.deliveries").increment(n);
        }
    }

    /** A signal dropped: {@code backpressure} (a backed-up connection), {@code sidecar_backlog}, {@code publish_failed}. */
    public void signalDropped(String reason) {
        counter("tasksync.signals.dropped", "reason", reason).increment();
    }

    /** A presence event: {@code diff} (one per topic diff), {@code gap}, {@code replica_expired}. */
    public void presence(String event, int n) {
        counter("tasksync.presence.events", "event", event).increment(n);
    }

    /** Registers a gauge read from {@code source} (presence members, peers). */
    public <T> void gauge(String name, String description, T source, java.util.function.ToDoubleFunction<T> value) {
        Gauge.builder(name, source, value).description(description).register(registry);
    }

    public void clientError(String reason) {
        counter("tasksync.client.errors", "reason", reason).increment();
    }

    private Counter counter(String name, String... tags) {
        return cache.computeIfAbsent(name + String.join("|", tags),
                k -> Counter.builder(name).tags(tags).register(registry));
    }
}
