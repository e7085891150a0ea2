package dev.tasksync.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * WebSocket endpoint limits.
 *
 * @param path endpoint path
 * @param maxFrameSize larger client messages close the connection with 1009
 * @param outboundQueue messages buffered for one connection before it counts as a slow consumer
 * @param maxTopicLength longer topic names are rejected
 * @param drainTimeout on shutdown, how long to wait for clients to take their 1001 close
 */
@Validated
@ConfigurationProperties("tasksync.ws")
public record WebSocketProperties(
        @DefaultValue("/ws") @NotBlank String path,
        @DefaultValue("64KB") DataSize maxFrameSize,
        @DefaultValue("1024") @Min(8) @Max(1_000_000) int outboundQueue,
        @DefaultValue("200") @Min(1) int maxTopicLength,
        @DefaultValue("5s") java.time.Duration drainTimeout) {
}
