package dev.tasksync.ingress;

import dev.tasksync.config.DaprProperties;
import dev.tasksync.ops.RateLimitedLog;
import dev.tasksync.ops.TasksyncMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the Dapr subscription route ({@link DaprRoute}) does with a delivery. Every reply follows Dapr's
 * contract: SUCCESS once fanned out, DROP for an event that can never be processed (Dapr
 * dead-letters it), RETRY for a transient failure; per entry for a bulk delivery.
 */
@Component
public class DaprIntake implements DaprRoute.Handler {

    private static final Logger log = LoggerFactory.getLogger(DaprIntake.class);

    private static final byte[] SUCCESS_JSON = DaprReply.SUCCESS.json();

    private final CloudEventReader reader;
    private final EventDispatcher dispatcher;
    private final TasksyncMetrics metrics;
    private final int maxBodyBytes;
    private final JsonMapper json;
    private final RateLimitedLog dropLog = new RateLimitedLog(log, 10, java.time.Duration.ofMinutes(1));

    public DaprIntake(CloudEventReader reader, EventDispatcher dispatcher, TasksyncMetrics metrics,
            DaprProperties props, JsonMapper json) {
        this.reader = reader;
        this.dispatcher = dispatcher;
        this.metrics = metrics;
        this.json = json;
        this.maxBodyBytes = maxBodyBytes(props);
    }

    /** {@code tasksync.dapr.max-body-size} in bytes. */
    public static int maxBodyBytes(DaprProperties props) {
        return (int) Math.min(Integer.MAX_VALUE, props.maxBodySize().toBytes());
    }

    /** The reply body Dapr reads: a {@link DaprReply} or a bulk {@link BulkEnvelope.Reply}. */
    @Override
    public byte[] encode(Object reply) {
        if (reply == DaprReply.SUCCESS) {
            return SUCCESS_JSON;
        }
        if (reply instanceof DaprReply single) {
            return single.json();
        }
        return json.writeValueAsBytes(reply);
    }

    /**
     * One event or a bulk envelope: both are accepted whatever {@code /dapr/subscribe} advertises,
     * so a declarative Subscription may turn bulk delivery on without a new build.
     */
    @Override
    public Object route(byte[] body, MediaType contentType, String traceparent, String tracestate) {
        JsonNode root;
        try {
            root = reader.parse(body, contentType);
        } catch (MalformedEventException e) {
            return drop(e.reason(), e.getMessage());
        }
        return BulkEnvelope.is(root)
                ? bulk(root.get("entries"), traceparent, tracestate)
                : handle(() -> reader.read(root), traceparent, tracestate);
    }

    /** Parses and dispatches one delivery; shared with the dev publisher. */
    public DaprReply handle(byte[] body, MediaType contentType) {
        return handle(body, contentType, null, null);
    }

    /** As {@link #handle(byte[], MediaType)}, with daprd's trace context headers (used when the envelope has none). */
    public DaprReply handle(byte[] body, MediaType contentType, String traceparent, String tracestate) {
        return handle(() -> reader.read(body, contentType), traceparent, tracestate);
    }

    private BulkEnvelope.Reply bulk(JsonNode entries, String traceparent, String tracestate) {
        metrics.bulkDelivery(entries.size());
        List<BulkEnvelope.Status> statuses = new ArrayList<>(entries.size());
        for (JsonNode entry : entries) {
            JsonNode entryId = entry.get("entryId");
            if (entryId == null || !entryId.isString()) {
                // Without an id there is nothing to answer; Dapr treats a missing status as failed.
                metrics.daprReply("DROP", "missing_entry_id");
                continue;
            }
            DaprReply reply = handle(() -> reader.readEntry(entry.get("event")), traceparent, tracestate);
            statuses.add(new BulkEnvelope.Status(entryId.stringValue(), reply.status()));
        }
        return new BulkEnvelope.Reply(statuses);
    }

    private DaprReply handle(Supplier<InboundEvent> read, String traceparent, String tracestate) {
        InboundEvent event;
        try {
            event = read.get();
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

    /** The reply to a delivery larger than {@code tasksync.dapr.max-body-size}. */
    @Override
    public DaprReply tooLarge() {
        return drop("too_large", "body larger than " + maxBodyBytes + " bytes");
    }

    private DaprReply drop(String reason, String message) {
        metrics.daprReply("DROP", reason);
        dropLog.warn("dropping event ({}): {}", reason, message);
        return DaprReply.DROP;
    }
}
