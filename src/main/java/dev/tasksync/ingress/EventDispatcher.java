package dev.tasksync.ingress;

import dev.tasksync.fanout.EventLog;
import dev.tasksync.fanout.EventLog.Published;
import dev.tasksync.fanout.Frame;
import dev.tasksync.ops.FanoutTracing;
import dev.tasksync.ops.TasksyncMetrics;
import dev.tasksync.wire.ServerMessages;
import io.micrometer.tracing.Span;

/**
 * Encodes an event once and hands the bytes to every local connection that may see it,
 * through the event log (history for resume, dedup of redeliveries).
 */
public final class EventDispatcher {

    private final EventLog log;
    private final ServerMessages messages;
    private final TasksyncMetrics metrics;
    private final FanoutTracing tracing;

    public EventDispatcher(EventLog log, ServerMessages messages, TasksyncMetrics metrics, FanoutTracing tracing) {
        this.log = log;
        this.messages = messages;
        this.metrics = metrics;
        this.tracing = tracing;
    }

    public Published dispatch(InboundEvent event) {
        return dispatch(event, null, null);
    }

    /**
     * Fans {@code event} out. With tracing on, inside a {@code tasksync.fanout} span whose parent is
     * the envelope's trace context, else {@code headerTraceparent}/{@code headerTracestate} (daprd's).
     */
    public Published dispatch(InboundEvent event, String headerTraceparent, String headerTracestate) {
        if (!tracing.enabled()) {
            return fanOut(event);
        }
        var origin = event.origin();
        Span span = event instanceof InboundEvent.Task t
                ? tracing.start(t.id(), "task", t.eventType(), origin.traceparent(), origin.tracestate(),
                        headerTraceparent, headerTracestate)
                : tracing.start(event.id(), "topic", ((InboundEvent.Topic) event).event(), origin.traceparent(),
                        origin.tracestate(), headerTraceparent, headerTracestate);
        try (var scope = tracing.inScope(span)) {
            Published p = fanOut(event);
            FanoutTracing.outcome(span, p.duplicate(), p.delivery().delivered(), p.delivery().dropped());
            return p;
        } catch (RuntimeException e) {
            span.error(e);
            throw e;
        } finally {
            span.end();
        }
    }

    private Published fanOut(InboundEvent event) {
        var origin = event.origin();
        Published p;
        if (event instanceof InboundEvent.Task t) {
            metrics.taskEventReceived();
            p = log.publishToUser(t.userId(), t.id(), Frame.live(
                    messages.taskUpdate(t.eventType(), t.task(), t.id(), t.timestamp()), ServerMessages.TASK_UPDATE, t.id(),
                    origin.eventTimeMillis(), origin.receivedNanos()));
        } else {
            var t = (InboundEvent.Topic) event;
            metrics.topicEventReceived();
            p = log.publishToTopic(t.topic(), t.id(), Frame.live(
                    messages.topicEvent(t.topic(), t.event(), t.data(), t.id()), ServerMessages.TOPIC_EVENT, t.id(),
                    origin.eventTimeMillis(), origin.receivedNanos()));
        }
        if (p.duplicate()) {
            metrics.duplicate();
        } else {
            metrics.delivered(p.delivery());
        }
        return p;
    }
}
