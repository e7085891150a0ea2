package dev.tasksync.session;

import dev.tasksync.auth.InvalidTokenException;
import dev.tasksync.auth.TokenVerifier;
import dev.tasksync.auth.TopicPolicy;
import dev.tasksync.auth.UserPrincipal;
import dev.tasksync.config.WebSocketProperties;
import dev.tasksync.fanout.EventLog;
import dev.tasksync.fanout.Frame;
import dev.tasksync.fanout.Hub;
import dev.tasksync.ops.RateLimitedLog;
import dev.tasksync.ops.TasksyncMetrics;
import dev.tasksync.presence.Presence;
import dev.tasksync.wire.Close;
import dev.tasksync.wire.CloseCodes;
import dev.tasksync.wire.ServerMessages;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * How a client connects, whatever the transport: admission (drain, Origin, token, user, per-user
 * limit) before the transport answers, then the join of its user stream and the topics it named,
 * with the greeting and any replay queued first. The limits are {@code tasksync.ws.*}: one policy
 * for every transport.
 */
public final class Connector {

    private static final Logger log = LoggerFactory.getLogger(Connector.class);
    private final RateLimitedLog rejections = new RateLimitedLog(log, 20, Duration.ofMinutes(1));

    /** The outcome of admission: a principal to serve, or the reason to refuse with. */
    public record Admission(ConnectParams params, UserPrincipal principal, Close refusal) {
    }

    private final TokenVerifier verifier;
    private final Hub hub;
    private final EventLog events;
    private final ServerMessages messages;
    private final TasksyncMetrics metrics;
    private final ConnectionDrainer drainer;
    private final WebSocketProperties limits;
    private final Clock clock;
    private final Presence presence;
    private final ChannelSession.Events connectionEvents;
    // Connection ids: a per-process random prefix keeps them unique across replicas and restarts.
    private final String idPrefix = UUID.randomUUID().toString().substring(0, 8) + "-";
    private final AtomicLong sequence = new AtomicLong();

    public Connector(TokenVerifier verifier, Hub hub, EventLog log, ServerMessages messages, TasksyncMetrics metrics,
            ConnectionDrainer drainer, WebSocketProperties limits, Clock clock, Presence presence) {
        this.verifier = verifier;
        this.hub = hub;
        this.events = log;
        this.messages = messages;
        this.metrics = metrics;
        this.drainer = drainer;
        this.limits = limits;
        this.clock = clock;
        this.presence = presence;
        this.connectionEvents = new ChannelSession.Events() {
            @Override
            public void written(Frame frame) {
                metrics.written(frame);
            }

            @Override
            public void dropped() {
                metrics.notWritten();
            }

            @Override
            public void closing(Close close) {
                metrics.disconnected(close.reason());
            }

            @Override
            public void droppedEphemeral(Frame frame) {
                metrics.signalDropped("backpressure");
            }
        };
    }

    /** Decides, before the transport answers, whether the client is served or refused (and why). */
    public Mono<Admission> admit(ConnectParams params, String origin, SocketAddress remote, String transport) {
        if (drainer.isDraining()) {
            return Mono.just(new Admission(params, null, CloseCodes.GOING_AWAY));
        }
        if (!originAllowed(origin)) {
            metrics.authFailure("origin");
            rejections.warn("{} rejected: origin {} not allowed", transport, origin);
            return Mono.just(new Admission(params, null, CloseCodes.ORIGIN_NOT_ALLOWED));
        }
        return verifier.verify(params.token())
                .map(principal -> {
                    if (params.userId() != null && !params.userId().equals(principal.userId())) {
                        metrics.authFailure("user_mismatch");
                        rejections.warn("{} rejected from {}: user_id parameter does not match the token",
                                transport, address(remote));
                        return new Admission(params, null, CloseCodes.FORBIDDEN);
                    }
                    if (hub.connectionsOf(principal.userId()) >= limits.maxConnectionsPerUser()) {
                        metrics.clientError("too_many_connections");
                        return new Admission(params, null, CloseCodes.TOO_MANY_CONNECTIONS);
                    }
                    return new Admission(params, principal, null);
                })
                .onErrorResume(InvalidTokenException.class, e -> {
                    metrics.authFailure(e.reason().name().toLowerCase());
                    // The reason only: the token itself is never logged.
                    rejections.warn("{} rejected from {}: {}", transport, address(remote), e.getMessage());
                    return Mono.just(new Admission(params, null, CloseCodes.UNAUTHORIZED));
                });
    }

    /** Whether a page from {@code origin} may connect (no Origin header: not a browser page, allowed). */
    public boolean originAllowed(String origin) {
        return origin == null || limits.allowedOrigins().isEmpty() || limits.allowedOrigins().contains(origin);
    }

    /** A fresh connection id, unique across replicas and restarts. */
    public String nextId() {
        return idPrefix + sequence.incrementAndGet();
    }

    /** What every connection reports about itself (metrics). */
    public ChannelSession.Events connectionEvents() {
        return connectionEvents;
    }

    /**
     * Joins an admitted client's connection to its user stream and the topics it named, with its
     * greeting ({@code greeting} is the transport's text for it; {@code transport} names it in the
     * metrics) and any replay queued, so that no event published from now on can miss it; the
     * frames wait in the connection until it is {@link ChannelSession#opened()}. {@link #closed}
     * undoes it if the transport never answers.
     */
    public void join(ChannelSession c, Admission admission, String transport, String greeting) {
        metrics.opened(transport);
        UserPrincipal principal = admission.principal();
        String since = admission.params().since();
        var topics = new LinkedHashSet<String>();
        var refusals = new ArrayList<Frame>();
        List<String> named = admission.params().joining();
        for (String topic : named) {
            Frame refusal = refusal(principal, topic, topics);
            if (refusal == null) {
                topics.add(topic);
            } else {
                refusals.add(refusal);
            }
        }
        // Greeting, then the replay of missed events (all streams, in log order), then live ones:
        // the log orders all three. Refused topics are answered right after the greeting.
        var join = events.join(c, since, topics, j -> {
            c.offer(messages.connected(greeting, principal.userId(), c.id(), clock.instant(),
                    since == null ? null : j.resumed(), named.isEmpty() ? null : topics));
            refusals.forEach(c::offer);
            if (since != null && !j.resumed()) {
                c.offer(ServerMessages.RESYNC_REQUIRED);
            }
        });
        c.joined(join.seq(), join.since());
        // Presence watches start once the topics are joined: each snapshot queues behind the
        // greeting, and the topic's unsubscribe at close also ends the watch.
        for (String topic : admission.params().presence()) {
            if (topics.contains(topic)) {
                presence.watch(c, topic);
            }
        }
    }

    /** The connection's socket or stream ended (also when the transport never answered). Idempotent. */
    public void closed(ChannelSession c) {
        if (c != null) {
            c.complete();
            hub.remove(c);
        }
    }

    /**
     * Why {@code principal} may not subscribe to {@code topic} while holding {@code held}: the
     * error reply (counted), or null when it may. Shared by {@code subscribe} messages and topics
     * named at connect.
     */
    public Frame refusal(UserPrincipal principal, String topic, Set<String> held) {
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

    /** The reply to a topic name that is not one (too long, or with control or blank characters); counted. */
    public Frame invalidTopic() {
        metrics.clientError("invalid_topic");
        return messages.error("Invalid topic", "details",
                "topic must be 1-" + limits.maxTopicLength() + " printable characters");
    }

    public boolean validTopic(String topic) {
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

    private static Object address(SocketAddress remote) {
        return remote instanceof InetSocketAddress a ? a.getAddress() : "?";
    }
}
