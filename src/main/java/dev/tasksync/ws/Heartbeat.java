package dev.tasksync.ws;

import dev.tasksync.fanout.Hub;
import dev.tasksync.fanout.WriteBatch;
import java.time.Clock;
import java.time.Duration;

/**
 * One periodic pass over all connections instead of a timer per connection: sends WebSocket
 * pings, closes connections whose peer went silent (dead TCP peers never say goodbye) and
 * connections whose token expired without a refresh.
 */
public final class Heartbeat {

    private final Hub hub;
    private final Clock clock;
    private final long pingEveryNanos;
    private final long idleNanos;

    public Heartbeat(Hub hub, Clock clock, Duration pingInterval, Duration idleTimeout) {
        this.hub = hub;
        this.clock = clock;
        this.pingEveryNanos = pingInterval.toNanos();
        this.idleNanos = idleTimeout.toNanos();
    }

    public void tick() {
        long nowNanos = System.nanoTime();
        var now = clock.instant();
        // One task per event loop for all of its due pings, not a task (and a wakeup) per ping.
        var pings = new WriteBatch(WsConnection.PING);
        hub.forEach(r -> {
            if (r instanceof WsConnection c && c.heartbeat(nowNanos, now, pingEveryNanos, idleNanos)) {
                pings.add(c.writer(), c);
            }
        });
        pings.submit();
    }
}
