package dev.tasksync.fanout;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Ordering, history and dedup for every stream (one user's task events, or one topic).
 *
 * <p>Each stream has a lock that orders two things: appending-and-publishing an event, and a
 * connection joining the stream (replay of missed events, then registration). A joining
 * connection therefore gets every event exactly once: either in the replay or live, never
 * both, never neither. Offers never block, so a lock is held for microseconds per recipient.
 *
 * <p>Positions ({@code seq}) are local to this process; clients only ever see event ids, which
 * every replica resolves against its own log, so a client can resume on any replica that has
 * consumed the event it last saw.
 */
public final class EventLog {

    /**
     * How a join went.
     *
     * @param resumed the client's {@code since} was honoured: the missed events were replayed
     * @param since position of {@code since} when resumed (later topic subscriptions replay from it), else null
     * @param seq position where live delivery started
     */
    public record Join(boolean resumed, Long since, long seq) {
    }

    /** Result of a publication: a duplicate (already delivered) or the delivery counts. */
    public record Published(boolean duplicate, Delivery delivery) {
        static final Published DUPLICATE = new Published(true, Delivery.NONE);
    }

    /**
     * One event kept for replay: its bytes only (a replay is a new, untimed frame, so it stays out of
     * the live latency histograms); history is most of the long-lived heap, so entries stay small.
     */
    private record Entry(long seq, long atMillis, byte[] bytes, String event, String id) {
    }

    /** Where and when an event id was appended. */
    private record Seen(long seq, long atMillis) {
    }

    /** One stream's bounded history; its monitor is the stream lock. */
    private static final class Stream {
        final ArrayDeque<Entry> entries = new ArrayDeque<>(4);
        long evictedUpTo = -1; // highest seq dropped from this stream: resuming from before it has a gap
    }

    private final Hub hub;
    private final Clock clock;
    private final int perStream;
    private final long maxAgeMillis;
    private final int idWindow;
    private final Map<String, Stream> streams = new ConcurrentHashMap<>();
    private final Map<String, Seen> seenById = new ConcurrentHashMap<>();
    private final Queue<String> idOrder = new ConcurrentLinkedQueue<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicLong seq = new AtomicLong();

    /**
     * @param perStream events kept per user / per topic
     * @param maxAge events older than this are not replayed
     * @param idWindow event ids remembered for dedup and for resolving {@code since}
     */
    public EventLog(Hub hub, Clock clock, int perStream, Duration maxAge, int idWindow) {
        this.hub = hub;
        this.clock = clock;
        this.perStream = perStream;
        this.maxAgeMillis = maxAge.toMillis();
        this.idWindow = idWindow;
    }

    /** Records and delivers a task event for {@code userId}, unless {@code eventId} was seen before. */
    public Published publishToUser(String userId, String eventId, Frame frame) {
        return locked(userKey(userId), s -> record(s, eventId, frame)
                ? new Published(false, hub.publishToUser(userId, frame)) : Published.DUPLICATE);
    }

    /** Records and delivers a topic event, unless {@code eventId} was seen before. */
    public Published publishToTopic(String topic, String eventId, Frame frame) {
        return locked(topicKey(topic), s -> record(s, eventId, frame)
                ? new Published(false, hub.publishToTopic(topic, frame)) : Published.DUPLICATE);
    }

    /**
     * Registers {@code r} for its user's events. With a {@code sinceId}, first replays the
     * user's events after it (when history covers the gap; see {@link Join#resumed()}).
     * {@code before} runs first, with the outcome, so the greeting precedes the replay.
     */
    public Join join(Recipient r, String sinceId, Consumer<Join> before) {
        return join(r, sinceId, List.of(), before);
    }

    /**
     * Registers {@code r} for its user's events and subscribes it to {@code topics}, as one step:
     * every stream's lock is held together, so an event of any of them is either in the replay
     * or delivered live, and the replay comes in log order across the streams. A single resume
     * point (the id of the last event the client saw, whichever stream it came from) therefore
     * never skips an event of another stream. The gap is covered only if every stream still
     * holds it; when it is not, nothing is replayed (the client resyncs).
     */
    public Join join(Recipient r, String sinceId, Collection<String> topics, Consumer<Join> before) {
        // One global order (sorted keys) for taking several locks: no two joins can deadlock,
        // and a publication only ever holds one. A set: a topic named twice is one stream.
        var sorted = new TreeSet<String>();
        sorted.add(userKey(r.userId()));
        for (String topic : topics) {
            sorted.add(topicKey(topic));
        }
        List<String> keys = List.copyOf(sorted);
        return lockedAll(keys, 0, new ArrayList<>(keys.size()), streams -> {
            Long since = positionOf(sinceId);
            boolean resumed = since != null && streams.stream().allMatch(s -> s.evictedUpTo <= since);
            Join join = new Join(resumed, resumed ? since : null, seq.get());
            before.accept(join);
            if (resumed) {
                replayMerged(streams, r, since);
            }
            hub.add(r);
            for (String topic : topics) {
                hub.subscribe(r, topic);
            }
            return join;
        });
    }

    /**
     * Subscribes {@code r} to {@code topic}; with a resume position, first replays the topic's
     * events after it. Returns false if the position is no longer covered (caller tells the
     * client to resync), true otherwise.
     */
    public boolean subscribe(Recipient r, String topic, Long resumeFrom) {
        return locked(topicKey(topic), s -> {
            boolean covered = resumeFrom == null || s.evictedUpTo <= resumeFrom;
            if (resumeFrom != null && covered && !r.topics().contains(topic)) {
                replay(s, r, resumeFrom, Long.MAX_VALUE);
            }
            hub.subscribe(r, topic);
            return covered;
        });
    }

    /**
     * Replays, for a connection that is already live, what it missed between {@code sinceId} and
     * the moment it joined ({@code joinedSeq}): its user's events and those of {@code topics}.
     * Returns false when the gap is not covered.
     */
    public boolean resume(Recipient r, String sinceId, long joinedSeq, Iterable<String> topics) {
        Long since = positionOf(sinceId);
        if (since == null) {
            return false;
        }
        boolean covered = locked(userKey(r.userId()), s -> replayBounded(s, r, since, joinedSeq));
        for (String topic : topics) {
            covered &= locked(topicKey(topic), s -> replayBounded(s, r, since, joinedSeq));
        }
        return covered;
    }

    /**
     * Position of an event id in this log, or null when unknown, forgotten, or older than the
     * history age (a swept stream may have held events after it, so the gap is not covered).
     */
    public Long positionOf(String eventId) {
        Seen seen = eventId == null ? null : seenById.get(eventId);
        return seen == null || seen.atMillis < clock.millis() - maxAgeMillis ? null : seen.seq;
    }

    /** The frames this process still holds for {@code userId}, oldest first (dev-mode state view). */
    public java.util.List<byte[]> userHistory(String userId) {
        return locked(userKey(userId), s -> s.entries.stream().map(Entry::bytes).toList());
    }

    /** Drops expired events and empty streams; called periodically. */
    public void sweep() {
        long cutoff = clock.millis() - maxAgeMillis;
        for (var e : streams.entrySet()) {
            Stream s = e.getValue();
            synchronized (s) {
                evictOld(s, cutoff);
                if (s.entries.isEmpty()) {
                    streams.remove(e.getKey(), s);
                }
            }
        }
    }

    public int streamCount() {
        return streams.size();
    }

    private static boolean replayBounded(Stream s, Recipient r, long since, long upTo) {
        if (s.evictedUpTo > since) {
            return false;
        }
        replay(s, r, since, upTo);
        return true;
    }

    private static void replay(Stream s, Recipient r, long after, long upTo) {
        for (Entry e : s.entries) {
            if (e.seq > after && e.seq <= upTo) {
                r.offer(Frame.replayed(e.bytes, e.event, e.id));
            }
        }
    }

    /** The events after {@code after} of all {@code streams}, in log order. */
    private static void replayMerged(List<Stream> streams, Recipient r, long after) {
        if (streams.size() == 1) {
            replay(streams.get(0), r, after, Long.MAX_VALUE);
            return;
        }
        List<Entry> missed = new ArrayList<>();
        for (Stream s : streams) {
            for (Entry e : s.entries) {
                if (e.seq > after) {
                    missed.add(e);
                }
            }
        }
        missed.sort(Comparator.comparingLong(Entry::seq));
        for (Entry e : missed) {
            r.offer(Frame.replayed(e.bytes, e.event, e.id));
        }
    }

    /** Appends under the stream lock; false if the id was already recorded (a redelivery). */
    private boolean record(Stream s, String eventId, Frame frame) {
        long next = seq.incrementAndGet();
        long now = clock.millis();
        if (seenById.putIfAbsent(eventId, new Seen(next, now)) != null) {
            return false;
        }
        idOrder.add(eventId);
        if (ids.incrementAndGet() > idWindow) {
            String oldest = idOrder.poll();
            if (oldest != null) {
                seenById.remove(oldest);
                ids.decrementAndGet();
            }
        }
        s.entries.addLast(new Entry(next, now, frame.bytes(), frame.event(), eventId));
        while (s.entries.size() > perStream) {
            s.evictedUpTo = s.entries.removeFirst().seq;
        }
        evictOld(s, now - maxAgeMillis);
        return true;
    }

    private static void evictOld(Stream s, long cutoff) {
        while (!s.entries.isEmpty() && s.entries.peekFirst().atMillis < cutoff) {
            s.evictedUpTo = s.entries.removeFirst().seq;
        }
    }

    /** Runs {@code action} holding the lock of the stream currently mapped to {@code key}. */
    private <T> T locked(String key, Function<Stream, T> action) {
        while (true) {
            Stream s = streams.computeIfAbsent(key, k -> new Stream());
            synchronized (s) {
                // sweep() may have unmapped this stream before we got its lock: use the new one.
                if (streams.get(key) == s) {
                    return action.apply(s);
                }
            }
        }
    }

    /** Runs {@code action} holding the locks of {@code keys} from {@code i} on, taken in that order. */
    private <T> T lockedAll(List<String> keys, int i, List<Stream> held, Function<List<Stream>, T> action) {
        if (i == keys.size()) {
            return action.apply(held);
        }
        return locked(keys.get(i), s -> {
            held.add(s);
            try {
                return lockedAll(keys, i + 1, held, action);
            } finally {
                held.remove(held.size() - 1);
            }
        });
    }

    private static String userKey(String userId) {
        return "u:" + userId;
    }

    private static String topicKey(String topic) {
        return "t:" + topic;
    }
}
