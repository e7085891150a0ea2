package dev.tasksync.presence;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Presence: who is on a topic, across replicas.
 *
 * @param grace a user's leave waits this long, so a reconnect or a deploy makes no leave/join pair
 * @param diffInterval a topic's watchers get at most one {@code presence_diff} per interval
 * @param maxMembers above this many members a topic's presence carries counts only
 * @param replicate share presence with the other replicas through Dapr pub/sub (needs a sidecar)
 * @param topic the pub/sub topic (on {@code tasksync.dapr.pubsub-name}) replicas share presence on
 * @param publishInterval how often this replica publishes its changes (one batch per interval)
 * @param heartbeatInterval how often this replica publishes its whole state (heartbeat and snapshot)
 * @param replicaTimeout a replica not heard from for this long is taken for dead: its users leave
 */
@Validated
@ConfigurationProperties("tasksync.presence")
public record PresenceProperties(
        @DefaultValue("10s") @NotNull Duration grace,
        @DefaultValue("1s") @NotNull Duration diffInterval,
        @DefaultValue("1000") @Min(0) int maxMembers,
        @DefaultValue("true") boolean replicate,
        @DefaultValue("tasksync-presence") @NotBlank String topic,
        @DefaultValue("200ms") @NotNull Duration publishInterval,
        @DefaultValue("5s") @NotNull Duration heartbeatInterval,
        @DefaultValue("15s") @NotNull Duration replicaTimeout) {

    /** The Dapr route presence messages arrive on (fixed, like the task route). */
    public static final String ROUTE = "/tasksync-presence";
}
