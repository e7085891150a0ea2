package dev.tasksync.ingress;

import dev.tasksync.config.DaprProperties;
import dev.tasksync.ops.RateLimitedLog;
import dev.tasksync.ops.TasksyncMetrics;
import io.dapr.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * The Dapr subscription route. {@code @Topic} makes dapr-sdk-springboot list it in
 * {@code GET /dapr/subscribe}; names come from {@link DaprProperties}. Every reply follows
 * Dapr's contract: SUCCESS once fanned out, DROP for an event that can never be processed
 * (Dapr dead-letters it), RETRY for a transient failure.
 */
@RestController
public class TaskUpdatesController {

    private static final Logger log = LoggerFactory.getLogger(TaskUpdatesController.class);

    private final CloudEventReader reader;
    private final EventDispatcher dispatcher;
    private final TasksyncMetrics metrics;
    private final int maxBodyBytes;
    private final RateLimitedLog dropLog = new RateLimitedLog(log, 10, java.time.Duration.ofMinutes(1));

    public TaskUpdatesController(CloudEventReader reader, EventDispatcher dispatcher, TasksyncMetrics metrics,
            DaprProperties props) {
        this.reader = reader;
        this.dispatcher = dispatcher;
        this.metrics = metrics;
        this.maxBodyBytes = (int) Math.min(Integer.MAX_VALUE, props.maxBodySize().toBytes());
    }

    @Topic(name = "${tasksync.dapr.topic:task-updates}",
            pubsubName = "${tasksync.dapr.pubsub-name:taskpubsub}",
            deadLetterTopic = "${tasksync.dapr.dead-letter-topic:task-updates-dlq}")
    @PostMapping(path = DaprProperties.ROUTE, produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<DaprReply> receive(ServerHttpRequest request) {
        MediaType contentType = request.getHeaders().getContentType();
        return DataBufferUtils.join(request.getBody(), maxBodyBytes)
                .map(buffer -> {
                    try {
                        byte[] body = new byte[buffer.readableByteCount()];
                        buffer.read(body);
                        return body;
                    } finally {
                        DataBufferUtils.release(buffer);
                    }
                })
                .defaultIfEmpty(new byte[0])
                .map(body -> handle(body, contentType, request.getHeaders().getFirst("traceparent"),
                        request.getHeaders().getFirst("tracestate")))
                .onErrorResume(DataBufferLimitException.class,
                        e -> Mono.just(drop("too_large", "body larger than " + maxBodyBytes + " bytes")));
    }

    /** Parses and dispatches one delivery; shared with the dev publisher. */
    public DaprReply handle(byte[] body, MediaType contentType) {
        return handle(body, contentType, null, null);
    }

    /** As {@link #handle(byte[], MediaType)}, with daprd's trace context headers (used when the envelope has none). */
    public DaprReply handle(byte[] body, MediaType contentType, String traceparent, String tracestate) {
        InboundEvent event;
        try {
            event = reader.read(body, contentType);
        } catch (MalformedEventException e) {
            return drop(e.reason(), e.getMessage());
        }
        try {
            dispatcher.dispatch(event, traceparent, tracestate);
        } catch (RuntimeException e) {
            // A bug, not bad input: let Dapr redeliver rather than lose the event.
            log.error("fan-out of event {} failed", event.id(), e);
            metrics.daprReply("RETRY", "error");
            return DaprReply.RETRY;
        }
        metrics.daprSuccess();
        return DaprReply.SUCCESS;
    }

    private DaprReply drop(String reason, String message) {
        metrics.daprReply("DROP", reason);
        dropLog.warn("dropping event ({}): {}", reason, message);
        return DaprReply.DROP;
    }
}
