package dev.tasksync.auth;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * The verified identity behind a connection.
 *
 * @param userId the token's {@code sub}
 * @param topicGrants shared topics the token grants: exact names or {@code prefix:*}
 * @param admin whether the token carries the admin role or scope
 * @param expiresAt when the token stops being valid
 * @param info what others see of this user in presence: the configured token claims
 *        ({@code tasksync.auth.info-claims}), never anything the client sends
 */
public record UserPrincipal(String userId, Set<String> topicGrants, boolean admin, Instant expiresAt,
        Map<String, String> info) {

    public UserPrincipal {
        topicGrants = Set.copyOf(topicGrants);
        info = info == null ? Map.of() : Map.copyOf(info);
    }

    public UserPrincipal(String userId, Set<String> topicGrants, boolean admin, Instant expiresAt) {
        this(userId, topicGrants, admin, expiresAt, Map.of());
    }
}
