package dev.tasksync.ingress;

import dev.tasksync.fanout.EventLog;
import dev.tasksync.fanout.EventLog.Published;
import dev.tasksync.ops.TasksyncMetrics;
import dev.tasksync.ws.ServerMessages;

/**
 * Encodes an event once and hands the bytes to every local connection that may see it,
 * through the event log (history for resume, dedup of redeliveries).
 */
public final class EventDispatcher {

    private final EventLog log;
    private final ServerMessages messages;
    private final TasksyncMetrics metrics;

    public EventDispatcher(EventLog log, ServerMessages messages, TasksyncMetrics metrics) {
        this.log = log;
        this.messages = messages;
        this.metrics = metrics;
    }

    public Published dispatch(InboundEvent event) {
        Published p;
        if (event instanceof InboundEvent.Task t) {
            metrics.taskEventReceived();
            p = log.publishToUser(t.userId(), t.id(),
                    messages.taskUpdate(t.eventType(), t.task(), t.id(), t.timestamp()));
        } else {
            var t = (InboundEvent.Topic) event;
            metrics.topicEventReceived();
            p = log.publishToTopic(t.topic(), t.id(), messages.topicEvent(t.topic(), t.event(), t.data(), t.id()));
        }
        if (p.duplicate()) {
            metrics.duplicate();
        } else {
            metrics.delivered(p.delivery());
        }
        return p;
    }
}
