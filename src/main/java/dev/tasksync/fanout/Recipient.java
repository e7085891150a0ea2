package dev.tasksync.fanout;

import java.util.Set;

/** One connection as the hub sees it: who it belongs to and where its frames go. */
public interface Recipient {

    /** Unique per process. */
    String id();

    /** The authenticated user the connection belongs to. */
    String userId();

    /** Topics this connection is subscribed to; maintained by the {@link Hub}. */
    Set<String> topics();

    /**
     * Queues a pre-encoded frame without blocking. Returns false when the frame was not
     * accepted (connection closing, or its bounded queue is full and it is being closed).
     */
    boolean offer(Frame frame);

    /** Asks the connection to close because this server is going away (clients reconnect elsewhere). */
    void goAway();
}
