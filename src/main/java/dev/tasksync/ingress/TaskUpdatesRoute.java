package dev.tasksync.ingress;

import dev.tasksync.config.DaprProperties;
import io.dapr.Topic;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * The Dapr subscription route, one event per request (the default). {@code @Topic} makes
 * dapr-sdk-springboot list it in {@code GET /dapr/subscribe}; names come from {@link DaprProperties}.
 */
@RestController
@ConditionalOnProperty(name = "tasksync.dapr.bulk-subscribe", havingValue = "false", matchIfMissing = true)
class TaskUpdatesRoute {

    private final DaprIntake intake;

    TaskUpdatesRoute(DaprIntake intake) {
        this.intake = intake;
    }

    @Topic(name = "${tasksync.dapr.topic:task-updates}",
            pubsubName = "${tasksync.dapr.pubsub-name:taskpubsub}",
            deadLetterTopic = "${tasksync.dapr.dead-letter-topic:task-updates-dlq}")
    @PostMapping(path = DaprProperties.ROUTE, produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<Object> receive(ServerHttpRequest request) {
        return intake.receive(request);
    }
}
