package dev.tasksync.ingress;

import dev.tasksync.config.DaprProperties;
import io.dapr.Topic;
import io.dapr.springboot.annotations.BulkSubscribe;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * The same route with Dapr bulk subscribe advertised ({@code tasksync.dapr.bulk-subscribe=true}):
 * the sidecar batches up to 100 messages, waiting at most 10 ms for a batch to fill, so one
 * request carries many events. The annotation takes constants only, hence fixed values.
 */
@RestController
@ConditionalOnProperty(name = "tasksync.dapr.bulk-subscribe", havingValue = "true")
class BulkTaskUpdatesRoute {

    static final int MAX_MESSAGES = 100;
    static final int MAX_AWAIT_MS = 10;

    private final DaprIntake intake;

    BulkTaskUpdatesRoute(DaprIntake intake) {
        this.intake = intake;
    }

    @Topic(name = "${tasksync.dapr.topic:task-updates}",
            pubsubName = "${tasksync.dapr.pubsub-name:taskpubsub}",
            deadLetterTopic = "${tasksync.dapr.dead-letter-topic:task-updates-dlq}")
    @BulkSubscribe(maxMessagesCount = MAX_MESSAGES, maxAwaitDurationMs = MAX_AWAIT_MS)
    @PostMapping(path = DaprProperties.ROUTE, produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<Object> receive(ServerHttpRequest request) {
        return intake.receive(request);
    }
}
