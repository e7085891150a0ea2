package dev.tasksync.auth;

/**
 * Who may subscribe to which shared topic: everyone to {@code user:<own id>}, otherwise only
 * topics the token grants, by exact name or by {@code prefix:*}.
 */
public final class TopicPolicy {

    private static final String USER_PREFIX = "user:";

    private TopicPolicy() {
    }

    /** Whether {@code principal} may receive events of {@code topic}. */
    public static boolean maySubscribe(UserPrincipal principal, String topic) {
        if (topic.startsWith(USER_PREFIX)) {
            return topic.substring(USER_PREFIX.length()).equals(principal.userId());
        }
        for (String grant : principal.topicGrants()) {
            if (grant.endsWith("*") ? topic.startsWith(grant.substring(0, grant.length() - 1)) : grant.equals(topic)) {
                return true;
            }
        }
        return false;
    }
}
