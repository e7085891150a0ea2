package dev.tasksync.sse;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The Server-Sent Events fallback: the same event stream as the WebSocket endpoint, for networks
 * that break WebSocket upgrades. Its limits (connections per user, topics, outbound queue, Origin
 * allow-list, drain) are the WebSocket endpoint's ({@code tasksync.ws.*}).
 *
 * @param enabled serve {@code GET path}
 * @param path endpoint path
 * @param heartbeatInterval how often an idle stream gets a comment line, so that proxies keep it
 *     open and a dead peer is found by the failed write
 */
@Validated
@ConfigurationProperties("tasksync.sse")
public record SseProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("/sse") @NotBlank String path,
        @DefaultValue("15s") Duration heartbeatInterval) {

    @AssertTrue(message = "heartbeat-interval must be at least 1s")
    boolean isHeartbeatIntervalValid() {
        return heartbeatInterval.compareTo(Duration.ofSeconds(1)) >= 0;
    }
}
