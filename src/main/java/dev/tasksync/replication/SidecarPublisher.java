package dev.tasksync.replication;

import dev.tasksync.ops.RateLimitedLog;
import io.dapr.client.DaprClient;
import io.dapr.client.domain.PublishEventRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Publishes this replica's messages for the other replicas (presence, signals) through its Dapr
 * sidecar with the Dapr SDK's reactive {@link DaprClient}: JSON bytes as they are, with Dapr's
 * metadata ({@code ttlInSeconds}: the message expires instead of arriving late; {@code
 * partitionKey}: one sender's messages stay in order on Kafka). Nothing here blocks.
 */
public final class SidecarPublisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SidecarPublisher.class);

    private final DaprClient client;
    private final String pubsub;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final RateLimitedLog failures = new RateLimitedLog(log, 5, Duration.ofMinutes(1));

    /** {@code client} null: no sidecar, {@link #enabled()} is false. */
    public SidecarPublisher(DaprClient client, String pubsub) {
        this.client = client;
        this.pubsub = pubsub;
    }

    /** Whether there is a sidecar to publish through. */
    public boolean enabled() {
        return client != null;
    }

    /** Publications sent and not yet answered. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Publishes {@code json} to {@code topic}; the Mono completes when the sidecar accepted it. */
    public Mono<Void> publish(String topic, byte[] json, String ttlInSeconds, String partitionKey) {
        if (client == null) {
            return Mono.error(new IllegalStateException("no Dapr sidecar configured"));
        }
        var request = new PublishEventRequest(pubsub, topic, json).setContentType("application/json")
                .setMetadata(Map.of("ttlInSeconds", ttlInSeconds, "partitionKey", partitionKey));
        return Mono.defer(() -> {
            inFlight.incrementAndGet();
            return client.publishEvent(request);
        }).doFinally(s -> inFlight.decrementAndGet())
                .doOnError(e -> failures.warn("publishing to {} through the Dapr sidecar failed: {}", topic, e.toString()));
    }

    @Override
    public void close() throws Exception {
        if (client != null) {
            client.close();
        }
    }
}
