package dev.tasksync.ws;

import dev.tasksync.auth.InvalidTokenException;
import dev.tasksync.auth.TokenVerifier;
import dev.tasksync.auth.TopicPolicy;
import dev.tasksync.fanout.EventLog;
import dev.tasksync.fanout.Hub;
import dev.tasksync.config.WebSocketProperties;
import dev.tasksync.ops.TasksyncMetrics;
import reactor.core.publisher.Mono;

/** Answers client messages on one connection. Replies go through the connection's queue, keeping order. */
final class SessionProtocol {

    private final Hub hub;
    private final EventLog log;
    private final ServerMessages messages;
    private final ClientMessageParser parser;
    private final TasksyncMetrics metrics;
    private final TokenVerifier verifier;
    private final WebSocketProperties limits;

    SessionProtocol(Hub hub, EventLog log, ServerMessages messages, ClientMessageParser parser,
            TasksyncMetrics metrics, TokenVerifier verifier, WebSocketProperties limits) {
        this.hub = hub;
        this.log = log;
        this.messages = messages;
        this.parser = parser;
        this.metrics = metrics;
        this.verifier = verifier;
        this.limits = limits;
    }

    /** Counts a client message against the connection's rate; false (and the connection closing) when over. */
    boolean admit(WsConnection c, long nowNanos) {
        if (c.allowMessage(nowNanos, limits.messageRate(), limits.messageBurst())) {
            return true;
        }
        metrics.clientError("rate_limited");
        c.close(CloseCodes.RATE_LIMITED);
        return false;
    }

    /** Handles one text message; only token refresh is asynchronous. */
    Mono<Void> onText(WsConnection c, String text) {
        ClientMessage m = parser.parse(text);
        if (m instanceof ClientMessage.Auth auth) {
            return reauthenticate(c, auth.token());
        }
        if (m instanceof ClientMessage.Ping ping) {
            c.offer(ping.actionDialect() ? ServerMessages.PONG_ACTION : ServerMessages.PONG_TYPE);
        } else if (m instanceof ClientMessage.Subscribe s) {
            subscribe(c, s.topic(), s.since());
        } else if (m instanceof ClientMessage.Resume r) {
            resume(c, r.since());
        } else if (m instanceof ClientMessage.Unsubscribe u) {
            unsubscribe(c, u.topic());
        } else if (m instanceof ClientMessage.Invalid invalid) {
            metrics.clientError("invalid_message");
            c.offer(messages.error("Invalid message format", "details", invalid.details()));
        }
        // ClientMessage.Ignored: unknown type or action, silently ignored by design.
        return Mono.empty();
    }

    private Mono<Void> reauthenticate(WsConnection c, String token) {
        return verifier.verify(token)
                .doOnNext(fresh -> {
                    if (!fresh.userId().equals(c.userId())) {
                        metrics.authFailure("user_mismatch");
                        c.offer(messages.error("Forbidden", "details", "token is for another user"));
                    } else {
                        c.reauthenticated(fresh);
                        c.offer(messages.authenticated(fresh.expiresAt()));
                    }
                })
                .onErrorResume(InvalidTokenException.class, e -> {
                    metrics.authFailure(e.reason().name().toLowerCase());
                    c.offer(messages.error("Unauthorized", "details", e.getMessage()));
                    return Mono.empty();
                })
                .then();
    }

    void onBinary(WsConnection c) {
        metrics.clientError("binary_frame");
        c.offer(ServerMessages.BINARY_NOT_SUPPORTED);
    }

    private void resume(WsConnection c, String since) {
        if (since != null && log.resume(c, since, c.joinedSeq(), c.topics())) {
            c.offer(messages.resumed(true));
        } else {
            c.offer(ServerMessages.RESYNC_REQUIRED);
        }
    }

    private void subscribe(WsConnection c, String topic, String since) {
        byte[] refusal = refusal(c.principal(), topic, c.topics());
        if (refusal != null) {
            c.offer(refusal);
            return;
        }
        // Confirm first, so the client can tell replayed events from the confirmation.
        c.offer(messages.subscription("subscribed", topic));
        Long from = since != null ? log.positionOf(since) : c.resumeFrom();
        boolean covered = log.subscribe(c, topic, from);
        if (!covered || (since != null && from == null)) {
            c.offer(ServerMessages.RESYNC_REQUIRED);
        }
    }

    /**
     * Why {@code principal} may not subscribe to {@code topic} while holding {@code held}: the
     * error reply (counted), or null when it may. Shared by {@code subscribe} messages and topics
     * named at connect.
     */
    byte[] refusal(dev.tasksync.auth.UserPrincipal principal, String topic, java.util.Set<String> held) {
        if (topic == null) {
            return messages.error("Topic is required for subscribe action");
        } else if (!validTopic(topic)) {
            return invalidTopic();
        } else if (!TopicPolicy.maySubscribe(principal, topic)) {
            metrics.clientError("forbidden_topic");
            return messages.error("Forbidden", "topic", topic);
        } else if (!held.contains(topic) && held.size() >= limits.maxSubscriptions()) {
            metrics.clientError("too_many_subscriptions");
            return messages.error("Too many subscriptions", "topic", topic, "limit",
                    String.valueOf(limits.maxSubscriptions()));
        }
        return null;
    }

    private void unsubscribe(WsConnection c, String topic) {
        if (topic == null) {
            c.offer(messages.error("Topic is required for unsubscribe action"));
        } else if (!validTopic(topic)) {
            c.offer(invalidTopic());
        } else {
            hub.unsubscribe(c, topic);
            c.offer(messages.subscription("unsubscribed", topic));
        }
    }

    private byte[] invalidTopic() {
        metrics.clientError("invalid_topic");
        return messages.error("Invalid topic", "details",
                "topic must be 1-" + limits.maxTopicLength() + " printable characters");
    }

    private boolean validTopic(String topic) {
        if (topic.length() > limits.maxTopicLength()) {
            return false;
        }
        for (int i = 0; i < topic.length(); i++) {
            char ch = topic.charAt(i);
            if (ch <= ' ' || ch == 0x7f) {
                return false;
            }
        }
        return true;
    }
}
