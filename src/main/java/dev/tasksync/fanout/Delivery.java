package dev.tasksync.fanout;

/**
 * Outcome of one publication.
 *
 * @param delivered recipients whose queue accepted the frame
 * @param dropped recipients that could not take it (slow or closing; they are disconnected)
 */
public record Delivery(int delivered, int dropped) {

    public static final Delivery NONE = new Delivery(0, 0);
}
