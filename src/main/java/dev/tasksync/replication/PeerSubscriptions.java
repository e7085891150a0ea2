package dev.tasksync.replication;

import dev.tasksync.presence.PresenceProperties;
import dev.tasksync.signal.SignalProperties;
import io.dapr.Topic;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.PostMapping;

/**
 * The subscriptions replicas talk to each other on, declared like the task subscription (the SDK
 * lists them in {@code GET /dapr/subscribe}), on the same pub/sub component: its consumer group is
 * per replica, so every replica gets every message, its own included. No dead-letter topic: a
 * malformed peer message is dropped. Served ahead of WebFlux by {@code DaprRoute}s.
 */
@Component
class PeerSubscriptions {

    @Topic(name = "${tasksync.presence.topic:tasksync-presence}", pubsubName = "${tasksync.dapr.pubsub-name:taskpubsub}")
    @PostMapping(path = PresenceProperties.ROUTE)
    void presence() {
        // Never called: the SDK only reads the annotations.
    }

    @Topic(name = "${tasksync.signals.topic:tasksync-signals}", pubsubName = "${tasksync.dapr.pubsub-name:taskpubsub}")
    @PostMapping(path = SignalProperties.ROUTE)
    void signals() {
        // Never called: the SDK only reads the annotations.
    }
}
