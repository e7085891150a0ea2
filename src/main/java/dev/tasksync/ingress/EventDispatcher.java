package dev.tasksync.ingress;

import dev.tasksync.fanout.Delivery;
import dev.tasksync.fanout.Hub;
import dev.tasksync.ops.TasksyncMetrics;
import dev.tasksync.ws.ServerMessages;

/** Encodes an event once and hands the bytes to every local connection that may see it. */
public final class EventDispatcher {

    private final Hub hub;
    private final ServerMessages messages;
    private final TasksyncMetrics metrics;

    public EventDispatcher(Hub hub, ServerMessages messages, TasksyncMetrics metrics) {
        this.hub = hub;
        this.messages = messages;
        this.metrics = metrics;
    }

    public Delivery dispatch(InboundEvent event) {
        Delivery d;
        if (event instanceof InboundEvent.Task t) {
            metrics.eventReceived("task");
            d = hub.publishToUser(t.userId(), messages.taskUpdate(t.eventType(), t.task(), t.id(), t.timestamp()));
        } else {
            var t = (InboundEvent.Topic) event;
            metrics.eventReceived("topic");
            d = hub.publishToTopic(t.topic(), messages.topicEvent(t.topic(), t.event(), t.data(), t.id()));
        }
        metrics.delivered(d);
        return d;
    }
}
