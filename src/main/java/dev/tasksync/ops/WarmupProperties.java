package dev.tasksync.ops;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The start-up warm-up ({@link Warmup}): loopback traffic through the hot paths before readiness.
 *
 * @param enabled run it (needs the HS256 secret to mint its own tokens; skipped with a JWK Set)
 * @param connections WebSocket connections it opens, per round
 * @param handshakeRounds times those connections are opened and closed
 * @param events events posted to the Dapr route, one per request, fanned out to the connections
 * @param timeout the whole warm-up gives up after this long (readiness then follows anyway)
 */
@Validated
@ConfigurationProperties("tasksync.warmup")
public record WarmupProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("100") @Min(1) @Max(5000) int connections,
        @DefaultValue("5") @Min(1) @Max(100) int handshakeRounds,
        @DefaultValue("10000") @Min(1) @Max(1_000_000) int events,
        @DefaultValue("20s") Duration timeout) {
}
