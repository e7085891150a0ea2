package dev.tasksync.auth;

import java.time.Instant;
import java.util.Set;

/**
 * The verified identity behind a connection.
 *
 * @param userId the token's {@code sub}
 * @param topicGrants shared topics the token grants: exact names or {@code prefix:*}
 * @param admin whether the token carries the admin role or scope
 * @param expiresAt when the token stops being valid
 */
public record UserPrincipal(String userId, Set<String> topicGrants, boolean admin, Instant expiresAt) {

    public UserPrincipal {
        topicGrants = Set.copyOf(topicGrants);
    }
}
