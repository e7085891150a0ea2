package dev.tasksync.session;

import dev.tasksync.fanout.Hub;
import dev.tasksync.fanout.WriteBatch;
import java.time.Clock;

/**
 * One periodic pass over all connections instead of a timer per connection: sends each
 * transport's keep-alive (WebSocket pings, SSE comments), closes connections whose token expired
 * without a refresh and those a transport's liveness rule gives up on (a silent WebSocket peer).
 */
public final class Heartbeat {

    private final Hub hub;
    private final Clock clock;

    public Heartbeat(Hub hub, Clock clock) {
        this.hub = hub;
        this.clock = clock;
    }

    public void tick() {
        long nowNanos = System.nanoTime();
        var now = clock.instant();
        // One task per event loop for all of its due keep-alives, not a task (and a wakeup) per connection.
        var keepAlives = new WriteBatch(ChannelSession.KEEP_ALIVE);
        hub.forEach(r -> {
            if (r instanceof ChannelSession c && c.heartbeat(nowNanos, now)) {
                keepAlives.add(c.writer(), c);
            }
        });
        keepAlives.submit();
    }
}
