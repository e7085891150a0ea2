package dev.tasksync.signal;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Client signals: ephemeral messages (typing, …) from one subscriber to a topic's others.
 *
 * @param events the signal names clients may send; others are refused ({@code Unknown signal})
 * @param maxPayload largest {@code data} (as JSON) a signal may carry
 * @param rate signals a connection may send per second
 * @param burst signals a connection may send at once
 * @param ttl a signal not delivered within this long is dropped by Dapr (message TTL), not delivered late
 * @param replicate relay signals to the other replicas through Dapr pub/sub (needs a sidecar)
 * @param topic the pub/sub topic (on {@code tasksync.dapr.pubsub-name}) signals travel on
 * @param maxInFlight publications to the sidecar not yet answered; beyond, signals are dropped
 */
@Validated
@ConfigurationProperties("tasksync.signals")
public record SignalProperties(
        @DefaultValue("typing") List<String> events,
        @DefaultValue("1KB") @NotNull DataSize maxPayload,
        @DefaultValue("5") @Min(1) int rate,
        @DefaultValue("10") @Min(1) int burst,
        @DefaultValue("5s") @NotNull Duration ttl,
        @DefaultValue("true") boolean replicate,
        @DefaultValue("tasksync-signals") @NotBlank String topic,
        @DefaultValue("1000") @Min(1) @Max(100_000) int maxInFlight) {

    /** The Dapr route signals of other replicas arrive on. */
    public static final String ROUTE = "/tasksync-signals";

    /** The TTL as Dapr's {@code ttlInSeconds} (whole seconds, at least 1). */
    public String ttlInSeconds() {
        return String.valueOf(Math.max(1, ttl.toSeconds()));
    }
}
