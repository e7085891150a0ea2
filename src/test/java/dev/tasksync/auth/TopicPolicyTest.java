package dev.tasksync.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TopicPolicyTest {

    private final UserPrincipal alice = new UserPrincipal("alice", Set.of("list:*", "gifts:all", "user:bob"), false,
            Instant.MAX);

    @Test
    void ownUserTopicOnly() {
        assertThat(TopicPolicy.maySubscribe(alice, "user:alice")).isTrue();
        assertThat(TopicPolicy.maySubscribe(alice, "user:bob")).as("user: topics are never granted").isFalse();
        assertThat(TopicPolicy.maySubscribe(alice, "user:alice2")).isFalse();
    }

    @Test
    void grantsByExactNameOrPrefix() {
        assertThat(TopicPolicy.maySubscribe(alice, "list:123")).isTrue();
        assertThat(TopicPolicy.maySubscribe(alice, "gifts:all")).isTrue();
        assertThat(TopicPolicy.maySubscribe(alice, "gifts:1")).isFalse();
        assertThat(TopicPolicy.maySubscribe(alice, "lists:1")).isFalse();
        assertThat(TopicPolicy.maySubscribe(alice, "occasion:1")).isFalse();
    }
}
