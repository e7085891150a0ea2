package dev.tasksync.fanout;

import java.util.Set;
import java.util.concurrent.Executor;

/** One connection as the hub sees it: who it belongs to and where its frames go. */
public interface Recipient {

    /** Unique per process. */
    String id();

    /** The authenticated user the connection belongs to. */
    String userId();

    /** What presence shows of the connection's user (token claims); empty by default. */
    default java.util.Map<String, String> info() {
        return java.util.Map.of();
    }

    /** Topics this connection is subscribed to; maintained by the {@link Hub}. */
    Set<String> topics();

    /**
     * Queues a pre-encoded frame without blocking. Returns false when the frame was not
     * accepted (the connection is closing).
     */
    boolean offer(Frame frame);

    /**
     * The thread this connection's writes run on, or null when {@link #offer(Frame)} is all there
     * is. A publication to many recipients hands each such executor one task that calls
     * {@link #write(Frame)} for all of its recipients, instead of a task per recipient.
     */
    default Executor writer() {
        return null;
    }

    /**
     * For recipients with a {@link #writer()}: takes {@code frame} if the connection is open;
     * the hub then calls {@link #write(Frame)} on the writer. False when closing.
     */
    default boolean accept(Frame frame) {
        return offer(frame);
    }

    /** Writes an accepted frame; runs on {@link #writer()}. */
    default void write(Frame frame) {
    }

    /** Asks the connection to close because this server is going away (clients reconnect elsewhere). */
    void goAway();
}
