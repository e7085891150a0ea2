package dev.tasksync.config;

import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The Dapr subscription this service declares and how its route is protected.
 *
 * @param pubsubName Dapr pub/sub component name
 * @param topic topic carrying task and topic events
 * @param deadLetterTopic where Dapr puts events this service answers DROP to
 * @param appApiToken when set, the route only accepts requests carrying it in {@code dapr-api-token}
 * @param maxBodySize larger deliveries are answered DROP
 * @param bulkSubscribe advertise Dapr bulk subscribe in {@code /dapr/subscribe} (the route accepts
 *        bulk envelopes either way)
 */
@Validated
@ConfigurationProperties("tasksync.dapr")
public record DaprProperties(
        @DefaultValue("taskpubsub") @NotBlank String pubsubName,
        @DefaultValue("task-updates") @NotBlank String topic,
        @DefaultValue("task-updates-dlq") @NotBlank String deadLetterTopic,
        String appApiToken,
        @DefaultValue("1MB") DataSize maxBodySize,
        @DefaultValue("false") boolean bulkSubscribe) {

    /** The route is fixed: the Dapr SDK publishes the literal {@code @PostMapping} path in /dapr/subscribe. */
    public static final String ROUTE = "/task-updates";

    public boolean hasAppApiToken() {
        return appApiToken != null && !appApiToken.isEmpty();
    }

    @Override
    public String toString() {
        return "DaprProperties[pubsubName=" + pubsubName + ", topic=" + topic + ", deadLetterTopic=" + deadLetterTopic
                + ", appApiToken=" + (hasAppApiToken() ? "***" : "<unset>") + "]";
    }
}
