package dev.tasksync.config;

import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * What a reconnecting client can get back.
 *
 * @param perStream events kept per user and per topic for resume
 * @param maxAge older events are not replayed (the client is told to resync)
 * @param idWindow recent event ids remembered, for dedup of redeliveries and to resolve {@code since}
 */
@Validated
@ConfigurationProperties("tasksync.history")
public record HistoryProperties(
        @DefaultValue("100") @Min(0) int perStream,
        @DefaultValue("5m") Duration maxAge,
        @DefaultValue("100000") @Min(1) int idWindow) {
}
