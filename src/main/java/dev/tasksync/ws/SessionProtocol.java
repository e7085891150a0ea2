package dev.tasksync.ws;

import dev.tasksync.auth.InvalidTokenException;
import dev.tasksync.auth.TokenVerifier;
import dev.tasksync.config.WebSocketProperties;
import dev.tasksync.fanout.EventLog;
import dev.tasksync.fanout.Frame;
import dev.tasksync.fanout.Hub;
import dev.tasksync.ops.TasksyncMetrics;
import dev.tasksync.presence.Presence;
import dev.tasksync.session.Connector;
import dev.tasksync.signal.Signals;
import dev.tasksync.wire.ClientMessage;
import dev.tasksync.wire.ClientMessageParser;
import dev.tasksync.wire.CloseCodes;
import dev.tasksync.wire.ServerMessages;
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
    private final Connector connector;
    private final Presence presence;
    private final Signals signals;

    SessionProtocol(Hub hub, EventLog log, ServerMessages messages, ClientMessageParser parser,
            TasksyncMetrics metrics, TokenVerifier verifier, WebSocketProperties limits, Connector connector,
            Presence presence, Signals signals) {
        this.connector = connector;
        this.presence = presence;
        this.signals = signals;
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
            subscribe(c, s.topic(), s.since(), s.presence());
        } else if (m instanceof ClientMessage.Signal s) {
            Frame refusal = signals.send(c, s.topic(), s.event(), s.data(), System.nanoTime());
            if (refusal != null) {
                c.offer(refusal);
            }
        } else if (m instanceof ClientMessage.Presence p) {
            presence(c, p.topic());
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

    private void presence(WsConnection c, String topic) {
        if (topic == null) {
            c.offer(messages.error("Topic is required for presence action"));
            return;
        }
        // Whoever may subscribe may ask, subscribed or not; the subscription limit does not apply.
        Frame refusal = connector.refusal(c.principal(), topic, java.util.Set.of(topic));
        c.offer(refusal != null ? refusal : presence.query(topic));
    }

    private void subscribe(WsConnection c, String topic, String since, boolean watchPresence) {
        Frame refusal = connector.refusal(c.principal(), topic, c.topics());
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
        if (watchPresence) {
            presence.watch(c, topic);
        }
    }

    private void unsubscribe(WsConnection c, String topic) {
        if (topic == null) {
            c.offer(messages.error("Topic is required for unsubscribe action"));
        } else if (!connector.validTopic(topic)) {
            c.offer(connector.invalidTopic());
        } else {
            hub.unsubscribe(c, topic);
            c.offer(messages.subscription("unsubscribed", topic));
        }
    }
}
