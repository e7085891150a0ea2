package dev.tasksync.config;

import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Limits of the HTTP server itself, for connections that are not (or not yet) WebSockets.
 *
 * @param headerTimeout a connection that has not sent a complete request line and headers this long
 *     after it was accepted, or after the response to its previous request (an idle keep-alive
 *     connection), is closed: a client that trickles its request (slowloris) holds a socket for at
 *     most this long. Upgraded WebSockets are not subject to it: they have the ping and idle timeout
 *     (4002) of {@code tasksync.ws}.
 */
@Validated
@ConfigurationProperties("tasksync.http")
public record HttpServerProperties(
        @DefaultValue("10s") @DurationMin(millis = 100) @DurationMax(minutes = 10) Duration headerTimeout) {
}
