package dev.tasksync.ingress;

import dev.tasksync.config.DaprProperties;
import io.dapr.Topic;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.stereotype.Component;

/**
 * The Dapr subscription, one event per request (the default), as dapr-sdk-springboot reads it:
 * {@code @Topic} and the {@code @PostMapping} path make the SDK list it in {@code GET /dapr/subscribe};
 * names come from {@link DaprProperties}. Not a controller: {@link DaprRoute} serves the path ahead
 * of WebFlux.
 */
@Component
@ConditionalOnProperty(name = "tasksync.dapr.bulk-subscribe", havingValue = "false", matchIfMissing = true)
class TaskUpdatesRoute {

    @Topic(name = "${tasksync.dapr.topic:task-updates}",
            pubsubName = "${tasksync.dapr.pubsub-name:taskpubsub}",
            deadLetterTopic = "${tasksync.dapr.dead-letter-topic:task-updates-dlq}")
    @PostMapping(path = DaprProperties.ROUTE)
    void receive() {
        // Never called: the SDK only reads the annotations; DaprRoute serves the path.
    }
}
