package dev.tasksync.fanout;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * One encoded outbound message, created once and shared by every recipient: the JSON bytes, its
 * kind ({@link #event()}, e.g. {@code task_update}) and event id for transports that frame them
 * separately (SSE's {@code event:} and {@code id:} fields), for a live event the two instants its
 * delivery latency is measured from, and the transports' ready-to-write forms of it
 * ({@link #wire(Wire)}), each made once, by the first recipient that needs it.
 */
public final class Frame {

    public static final long UNTIMED = Long.MIN_VALUE;

    /**
     * A transport's encoding of a frame (for example a complete WebSocket frame in a shared
     * buffer). Each encoding is one slot of every frame; there are few, fixed at start-up.
     */
    public static final class Wire<T> {
        private static final java.util.Map<String, Integer> SLOTS = new java.util.HashMap<>();
        static final int MAX = 4;

        private final int slot;
        private final Function<Frame, T> encoder;

        /**
         * An encoding named {@code name}. Encodings of one name share a slot: a transport built
         * once per application context (with its settings) takes the same slot each time, and a
         * frame never crosses contexts.
         */
        public Wire(String name, Function<Frame, T> encoder) {
            this.slot = slotOf(name);
            this.encoder = encoder;
        }

        private static synchronized int slotOf(String name) {
            Integer slot = SLOTS.get(name);
            if (slot == null) {
                if (SLOTS.size() >= MAX) {
                    throw new IllegalStateException("at most " + MAX + " wire encodings");
                }
                slot = SLOTS.size();
                SLOTS.put(name, slot);
            }
            return slot;
        }
    }

    private final byte[] bytes;
    private final String event;
    private final String id;
    private final long eventTimeMillis;
    private final long receivedNanos;
    private final boolean ephemeral;
    // One slot per Wire; two threads racing both encode, the first to store wins.
    private final AtomicReferenceArray<Object> wires = new AtomicReferenceArray<>(Wire.MAX);

    private Frame(byte[] bytes, String event, String id, long eventTimeMillis, long receivedNanos) {
        this(bytes, event, id, eventTimeMillis, receivedNanos, false);
    }

    private Frame(byte[] bytes, String event, String id, long eventTimeMillis, long receivedNanos, boolean ephemeral) {
        this.ephemeral = ephemeral;
        this.bytes = bytes;
        this.event = event;
        this.id = id;
        this.eventTimeMillis = eventTimeMillis;
        this.receivedNanos = receivedNanos;
    }

    /**
     * A live event of kind {@code event} with id {@code id}, measured from {@code eventTimeMillis}
     * (epoch) and {@code receivedNanos} ({@link System#nanoTime()}).
     */
    public static Frame live(byte[] bytes, String event, String id, long eventTimeMillis, long receivedNanos) {
        return new Frame(bytes, event, id, eventTimeMillis, receivedNanos);
    }

    /** An event replayed from history: no latency measurement. */
    public static Frame replayed(byte[] bytes, String event, String id) {
        return new Frame(bytes, event, id, UNTIMED, 0);
    }

    /** A reply or notice of kind {@code event} (no event id, no latency measurement). */
    public static Frame reply(String event, byte[] bytes) {
        return new Frame(bytes, event, null, UNTIMED, 0);
    }

    /**
     * A message of kind {@code event} worth nothing late (a client signal such as typing): never
     * kept in history, and the first thing a backed-up connection drops, before any event.
     */
    public static Frame ephemeral(String event, byte[] bytes) {
        return new Frame(bytes, event, null, UNTIMED, 0, true);
    }

    /** A frame of no particular kind, without id or latency measurement. */
    public static Frame untimed(byte[] bytes) {
        return new Frame(bytes, null, null, UNTIMED, 0);
    }

    /** The UTF-8 JSON text. */
    public byte[] bytes() {
        return bytes;
    }

    /** The message's kind ({@code task_update}, {@code topic_event}, {@code connected}, {@code error}, …); null if none. */
    public String event() {
        return event;
    }

    /** The event id a client resumes from, or null for replies. */
    public String id() {
        return id;
    }

    /** Epoch millis of the event (the CloudEvent {@code time}, else its receipt), or {@link #UNTIMED}. */
    public long eventTimeMillis() {
        return eventTimeMillis;
    }

    /** {@link System#nanoTime()} when this process read the delivery. */
    public long receivedNanos() {
        return receivedNanos;
    }

    /** Whether a connection that is backing up drops this frame instead of queueing it ({@link #ephemeral}). */
    public boolean isEphemeral() {
        return ephemeral;
    }

    public boolean timed() {
        return eventTimeMillis != UNTIMED;
    }

    /** This frame in {@code wire}'s encoding, encoded on first use and shared afterwards. */
    @SuppressWarnings("unchecked")
    public <T> T wire(Wire<T> wire) {
        Object encoded = wires.get(wire.slot);
        if (encoded == null) {
            encoded = wire.encoder.apply(this);
            Object won = wires.compareAndExchange(wire.slot, null, encoded);
            if (won != null) {
                encoded = won;
            }
        }
        return (T) encoded;
    }
}
