package dev.tasksync.fanout;

/**
 * One encoded outbound frame, created once and shared by every recipient: the bytes, and for a
 * live event the two instants its delivery latency is measured from.
 *
 * @param bytes the UTF-8 JSON text of the frame
 * @param eventTimeMillis epoch millis of the event (the CloudEvent {@code time}, else when it was
 *        received), or {@link #UNTIMED} for frames whose latency is not measured (replies, replays)
 * @param receivedNanos {@link System#nanoTime()} when this process read the delivery
 */
public record Frame(byte[] bytes, long eventTimeMillis, long receivedNanos) {

    public static final long UNTIMED = Long.MIN_VALUE;

    /** A live event, measured from {@code eventTimeMillis} and {@code receivedNanos}. */
    public static Frame live(byte[] bytes, long eventTimeMillis, long receivedNanos) {
        return new Frame(bytes, eventTimeMillis, receivedNanos);
    }

    /** A frame without latency measurement: replies to the client, replayed history. */
    public static Frame untimed(byte[] bytes) {
        return new Frame(bytes, UNTIMED, 0);
    }

    public boolean timed() {
        return eventTimeMillis != UNTIMED;
    }
}
