package dev.tasksync.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Local-development helpers ({@code make run}); never enable in production.
 *
 * @param enabled maps {@code /dev/token} (mints HS256 tokens) and {@code /dev/publish}
 * @param tokenTtl lifetime of minted tokens
 * @param daprHttpEndpoint when set, {@code /dev/publish} goes through this daprd's publish API
 */
@ConfigurationProperties("tasksync.dev")
public record DevProperties(
        @DefaultValue("false") boolean enabled,
        @DefaultValue("1h") Duration tokenTtl,
        String daprHttpEndpoint) {
}
