package dev.tasksync.ingress;

import dev.tasksync.config.DaprProperties;
import io.dapr.Topic;
import io.dapr.springboot.annotations.BulkSubscribe;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.stereotype.Component;

/**
 * The same subscription with Dapr bulk subscribe advertised ({@code tasksync.dapr.bulk-subscribe=true}):
 * the sidecar batches up to 100 messages, waiting at most 10 ms for a batch to fill, so one
 * request carries many events. The annotation takes constants only, hence fixed values. Served,
 * like the single-event form, by {@link DaprRoute}.
 */
@Component
@ConditionalOnProperty(name = "tasksync.dapr.bulk-subscribe", havingValue = "true")
class BulkTaskUpdatesRoute {

    static final int MAX_MESSAGES = 100;
    static final int MAX_AWAIT_MS = 10;

    @Topic(name = "${tasksync.dapr.topic:task-updates}",
            pubsubName = "${tasksync.dapr.pubsub-name:taskpubsub}",
            deadLetterTopic = "${tasksync.dapr.dead-letter-topic:task-updates-dlq}")
    @BulkSubscribe(maxMessagesCount = MAX_MESSAGES, maxAwaitDurationMs = MAX_AWAIT_MS)
    @PostMapping(path = DaprProperties.ROUTE)
    void receive() {
        // Never called: the SDK only reads the annotations; DaprRoute serves the path.
    }
}
