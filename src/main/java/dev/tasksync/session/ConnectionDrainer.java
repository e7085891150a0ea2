package dev.tasksync.session;

import dev.tasksync.fanout.Hub;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * Graceful shutdown for long-lived connections. Stops before the web server's own graceful
 * shutdown (which would otherwise wait its whole timeout for streams that never end):
 * readiness goes down first (Kubernetes and daprd stop sending work), new connections are
 * refused, and every client is closed with 1001 (over SSE: a last close event) so that it
 * reconnects to another replica.
 */
public final class ConnectionDrainer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ConnectionDrainer.class);

    private final Hub hub;
    private final ApplicationEventPublisher events;
    private final Duration timeout;
    private volatile boolean running;
    private volatile boolean draining;

    public ConnectionDrainer(Hub hub, ApplicationEventPublisher events, Duration timeout) {
        this.hub = hub;
        this.events = events;
        this.timeout = timeout;
    }

    /** True once shutdown began: new connections are turned away. */
    public boolean isDraining() {
        return draining;
    }

    @Override
    public void start() {
        // A context can be stopped and started again (e.g. Spring's paused test contexts): serve again.
        if (draining) {
            draining = false;
            AvailabilityChangeEvent.publish(events, this, ReadinessState.ACCEPTING_TRAFFIC);
        }
        running = true;
    }

    @Override
    public void stop() {
        draining = true;
        AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
        int asked = hub.goAwayAll();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (hub.connectionCount() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        log.info("drained {} connections ({} still open)", asked, hub.connectionCount());
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // Highest phase stops first: before the web server's graceful shutdown phase.
        return SmartLifecycle.DEFAULT_PHASE;
    }
}
