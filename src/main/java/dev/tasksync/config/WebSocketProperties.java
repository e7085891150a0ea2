package dev.tasksync.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * WebSocket endpoint limits. Every limit has a documented close code or error (src/docs/protocol.md).
 *
 * @param path endpoint path
 * @param maxFrameSize larger client messages close the connection with 1009
 * @param outboundQueue frames waiting to be written to one connection before it is closed as a slow consumer (4008)
 * @param maxPendingBytes bytes waiting to be written to one connection before it is closed as a slow consumer (4008)
 * @param maxTopicLength longer topic names are rejected
 * @param drainTimeout on shutdown, how long to wait for clients to take their 1001 close
 * @param pingInterval how often the server sends a WebSocket ping frame
 * @param idleTimeout a connection that sends nothing (not even a pong) for this long is closed (4002)
 * @param maxConnectionsPerUser further connections of the same user are closed (4029)
 * @param maxSubscriptions topics one connection may subscribe to
 * @param messageRate client messages per second allowed on one connection, sustained
 * @param messageBurst client messages allowed in a burst; beyond rate and burst the connection is closed (4029)
 * @param allowedOrigins browser origins allowed to connect; empty allows any (tokens are not ambient
 *     credentials, so a foreign page cannot ride them), set it in production
 */
@Validated
@ConfigurationProperties("tasksync.ws")
public record WebSocketProperties(
        @DefaultValue("/ws") @NotBlank String path,
        @DefaultValue("64KB") DataSize maxFrameSize,
        @DefaultValue("1024") @Min(8) @Max(1_000_000) int outboundQueue,
        @DefaultValue("4MB") DataSize maxPendingBytes,
        @DefaultValue("200") @Min(1) int maxTopicLength,
        @DefaultValue("5s") Duration drainTimeout,
        @DefaultValue("25s") Duration pingInterval,
        @DefaultValue("60s") Duration idleTimeout,
        @DefaultValue("20") @Min(1) int maxConnectionsPerUser,
        @DefaultValue("100") @Min(1) int maxSubscriptions,
        @DefaultValue("50") @Min(1) int messageRate,
        @DefaultValue("100") @Min(1) int messageBurst,
        @DefaultValue List<String> allowedOrigins) {
}
