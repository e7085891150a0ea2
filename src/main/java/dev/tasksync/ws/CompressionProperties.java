package dev.tasksync.ws;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * WebSocket permessage-deflate (RFC 7692), negotiated with clients that offer it.
 *
 * @param enabled answer a client's permessage-deflate offer (else every frame goes uncompressed)
 * @param level zlib level, 1 (fastest) to 9 (smallest); each event is compressed once for all its recipients
 * @param minSize frames smaller than this go uncompressed: below a few hundred bytes deflate saves
 *     little and costs a compression per event
 */
@Validated
@ConfigurationProperties("tasksync.ws.compression")
public record CompressionProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("6") @Min(1) @Max(9) int level,
        @DefaultValue("512B") DataSize minSize) {
}
