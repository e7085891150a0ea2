package dev.tasksync.presence;

import dev.tasksync.fanout.Frame;
import dev.tasksync.fanout.Hub;
import dev.tasksync.fanout.Recipient;
import dev.tasksync.wire.ServerMessages;
import dev.tasksync.wire.ServerMessages.Member;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Who is on each topic, merged over every replica: this replica's subscriptions (counted as the
 * {@link Hub} reports them) plus what the other replicas publish ({@link #apply}). A user is a
 * member of a topic while one of their connections anywhere is subscribed to it; once the last one
 * is gone they stay a member for the grace period, so a reconnect (another tab, a deploy moving
 * them to another replica) shows no leave and no join. Watchers of a topic (subscribed with
 * {@code "presence":true}) get a snapshot, then at most one diff per {@link #flush} (per diff
 * interval), encoded once for all of them.
 *
 * <p>Subscriptions are counted lock-free on the connections' threads; the merged view is guarded
 * by this object's lock, taken by the presence ticker, the Dapr route and presence requests.
 */
public final class Presence implements Hub.SubscriptionListener {

    /** One user on one topic. */
    public record Key(String topic, String user) {
    }

    /** A replica's number of connections of {@code key}'s user subscribed to its topic, with the user's info. */
    public record Entry(Key key, int count, Map<String, String> info) {
    }

    /** What a replica contributes and how far its messages got. */
    static final class Replica {
        final String id;
        final Set<Key> keys = new LinkedHashSet<>();
        long lastSeq = -1;
        long lastSentMillis;
        boolean gapped;
        // A snapshot being assembled from its parts: its first part's seq and the entries so far.
        long snapshotId = -1;
        Map<Key, Entry> snapshot;

        Replica(String id) {
            this.id = id;
        }
    }

    private static final class LocalCount {
        int count;
        Map<String, String> info;
    }

    private static final class MemberState {
        final Map<String, Integer> perReplica = new HashMap<>(2);
        int total;
        Map<String, String> info = Map.of();
        long leaveAtNanos;
        boolean announced;
    }

    private static final class TopicState {
        final String name;
        final Map<String, MemberState> members = new LinkedHashMap<>();
        final Set<Recipient> watchers = new LinkedHashSet<>();
        int announced;
        boolean dirty;
        // The snapshot and the query reply as they stand, encoded once for every watcher and asker
        // until the topic changes (set, flush): a burst of subscribes encodes them once, not once each.
        Frame snapshot;
        Frame reply;

        void changed() {
            snapshot = null;
            reply = null;
        }

        TopicState(String name) {
            this.name = name;
        }
    }

    /** What presence reports about itself (metrics); every method runs under the presence lock. */
    public interface Events {
        Events NONE = new Events() {
        };

        /** A diff went to {@code watchers} connections. */
        default void diffSent(int watchers) {
        }

        /** A gap in a replica's sequence numbers: healed by its next snapshot. */
        default void gap() {
        }

        /** A replica stopped heartbeating and was dropped with its users. */
        default void replicaExpired() {
        }
    }

    private final String self;
    private final ServerMessages messages;
    private final long graceNanos;
    private final int maxMembers;
    private final long replicaTimeoutMillis;
    private final LongSupplier nanoClock;
    private final Events events;

    // Lock-free: this replica's subscriptions, and which of them changed since the last drain.
    private final ConcurrentHashMap<Key, LocalCount> local = new ConcurrentHashMap<>();
    private final Set<Key> localDirty = ConcurrentHashMap.newKeySet();

    // Under this object's lock.
    private final Map<String, TopicState> topics = new HashMap<>();
    private final Set<TopicState> dirtyTopics = new LinkedHashSet<>();
    private final Map<String, Replica> replicas = new HashMap<>();
    private final Map<String, Boolean> departed = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > 1024;
        }
    };
    private long feedClockMillis;
    private long diffsSent;

    public Presence(String self, ServerMessages messages, PresenceProperties props, LongSupplier nanoClock,
            Events events) {
        this.self = self;
        this.messages = messages;
        this.graceNanos = props.grace().toNanos();
        this.maxMembers = props.maxMembers();
        this.replicaTimeoutMillis = props.replicaTimeout().toMillis();
        this.nanoClock = nanoClock;
        this.events = events;
    }

    /** This replica's incarnation id (new at every start): how the other replicas tell its messages apart. */
    public String self() {
        return self;
    }

    @Override
    public void subscribed(Recipient r, String topic) {
        Key key = new Key(topic, r.userId());
        local.compute(key, (k, c) -> {
            LocalCount n = c == null ? new LocalCount() : c;
            n.count++;
            n.info = r.info();
            return n;
        });
        localDirty.add(key);
    }

    @Override
    public void unsubscribed(Recipient r, String topic) {
        Key key = new Key(topic, r.userId());
        local.computeIfPresent(key, (k, c) -> --c.count <= 0 ? null : c);
        localDirty.add(key);
        synchronized (this) {
            TopicState t = topics.get(topic);
            if (t != null && t.watchers.remove(r) && t.members.isEmpty() && t.watchers.isEmpty()) {
                topics.remove(topic);
            }
        }
    }

    /**
     * Takes this replica's subscription changes since the last call into the merged view; returns
     * them (absolute counts, for publishing to the other replicas).
     */
    public List<Entry> drainLocal() {
        List<Entry> changed = new ArrayList<>();
        synchronized (this) {
            long now = nanoClock.getAsLong();
            for (Iterator<Key> it = localDirty.iterator(); it.hasNext(); ) {
                Key key = it.next();
                it.remove();
                Entry e = localEntry(key);
                set(e, self, now);
                changed.add(e);
            }
        }
        return changed;
    }

    /** This replica's whole contribution (a snapshot for the other replicas). */
    public List<Entry> localSnapshot() {
        List<Entry> all = new ArrayList<>(local.size());
        for (Key key : local.keySet()) {
            Entry e = localEntry(key);
            if (e.count() > 0) {
                all.add(e);
            }
        }
        return all;
    }

    private Entry localEntry(Key key) {
        LocalCount c = local.get(key);
        // Read under the map's lock of the key: count and info belong together.
        Entry[] e = {new Entry(key, 0, null)};
        if (c != null) {
            local.computeIfPresent(key, (k, v) -> {
                e[0] = new Entry(k, v.count, v.info);
                return v;
            });
        }
        return e[0];
    }

    /**
     * Starts {@code r} watching {@code topic}: it gets the snapshot now, and every diff from now on.
     * Call after it subscribed (its unsubscribe ends the watch).
     */
    public synchronized void watch(Recipient r, String topic) {
        TopicState t = topics.computeIfAbsent(topic, TopicState::new);
        t.watchers.add(r);
        r.offer(state(ServerMessages.PRESENCE_STATE, t));
    }

    /** The reply to {@code {"action":"presence","topic":…}}: the members as last announced. */
    public synchronized Frame query(String topic) {
        TopicState t = topics.get(topic);
        return t == null ? messages.presence(null, topic, List.of(), 0) : state(null, t);
    }

    private Frame state(String type, TopicState t) {
        if (type == null) {
            return t.reply != null ? t.reply : (t.reply = encodeState(null, t));
        }
        return t.snapshot != null ? t.snapshot : (t.snapshot = encodeState(type, t));
    }

    private Frame encodeState(String type, TopicState t) {
        if (t.announced > maxMembers) {
            return messages.presence(type, t.name, null, t.announced);
        }
        List<Member> members = new ArrayList<>(t.announced);
        t.members.forEach((user, m) -> {
            if (m.announced) {
                members.add(new Member(user, m.total, m.info));
            }
        });
        return messages.presence(type, t.name, members, members.size());
    }

    /**
     * Sends each changed topic's watchers one diff: the users who became members (first connection
     * anywhere) and those whose grace ran out after their last connection went. Runs once per diff
     * interval, so a burst of changes makes one diff per topic.
     */
    public synchronized void flush() {
        long now = nanoClock.getAsLong();
        for (Iterator<TopicState> it = dirtyTopics.iterator(); it.hasNext(); ) {
            TopicState t = it.next();
            if (!flush(t, now)) {
                t.dirty = false;
                it.remove();
            }
        }
    }

    /** One topic's diff; returns whether a grace period is still running there (look again next time). */
    private boolean flush(TopicState t, long now) {
        List<Member> joins = new ArrayList<>();
        List<String> leaves = new ArrayList<>();
        boolean pending = false;
        for (Iterator<Map.Entry<String, MemberState>> it = t.members.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            MemberState m = e.getValue();
            boolean inGrace = m.total == 0 && now - m.leaveAtNanos < 0;
            boolean present = m.total > 0 || inGrace;
            pending |= inGrace;
            if (present && !m.announced) {
                m.announced = true;
                joins.add(new Member(e.getKey(), m.total, m.info));
            } else if (!present && m.announced) {
                leaves.add(e.getKey());
            }
            if (!present) {
                it.remove();
            }
        }
        t.announced += joins.size() - leaves.size();
        if (!joins.isEmpty() || !leaves.isEmpty()) {
            t.changed();
        }
        if ((!joins.isEmpty() || !leaves.isEmpty()) && !t.watchers.isEmpty()) {
            Frame diff = t.announced > maxMembers
                    ? messages.presenceDiff(t.name, null, null, t.announced)
                    : messages.presenceDiff(t.name, joins, leaves, t.announced);
            Hub.offerAll(t.watchers, diff);
            diffsSent++;
            events.diffSent(t.watchers.size());
        }
        if (t.members.isEmpty() && t.watchers.isEmpty()) {
            topics.remove(t.name);
        }
        return pending;
    }

    /** Sets {@code replica}'s count of {@code e}'s user on its topic. */
    private void set(Entry e, String replica, long now) {
        Key key = e.key();
        int n = Math.max(0, e.count());
        TopicState t = topics.get(key.topic());
        if (t == null) {
            if (n == 0) {
                return;
            }
            t = new TopicState(key.topic());
            topics.put(key.topic(), t);
        }
        MemberState m = t.members.get(key.user());
        if (m == null) {
            if (n == 0) {
                return;
            }
            m = new MemberState();
            t.members.put(key.user(), m);
        }
        t.changed(); // a member's connections or info: the snapshot shows them
        Integer old = n == 0 ? m.perReplica.remove(replica) : m.perReplica.put(replica, n);
        int before = old == null ? 0 : old;
        m.total += n - before;
        if (n > 0 && e.info() != null) {
            m.info = e.info();
        }
        if (m.total > 0) {
            m.leaveAtNanos = 0;
        } else if (before > 0) {
            m.leaveAtNanos = now + graceNanos;
        }
        if (!replica.equals(self)) {
            Replica r = replicas.get(replica);
            if (r != null) {
                if (n == 0) {
                    r.keys.remove(key);
                } else {
                    r.keys.add(key);
                }
            }
        }
        if (!t.dirty) {
            t.dirty = true;
            dirtyTopics.add(t);
        }
    }

    // ---- replication: what the other replicas publish ----

    /** A batch of another replica's changes (absolute counts). */
    public synchronized void delta(String replica, long seq, long sentMillis, List<Entry> entries) {
        Replica r = heard(replica, seq, sentMillis);
        if (r != null) {
            long now = nanoClock.getAsLong();
            entries.forEach(e -> set(e, replica, now));
        }
    }

    /**
     * One part of another replica's snapshot (its heartbeat): once all {@code parts} parts of the
     * snapshot that began with seq {@code snapshotId} are in, they replace everything known of that
     * replica, which heals any gap in its sequence.
     */
    public synchronized void snapshot(String replica, long seq, long sentMillis, long snapshotId, int part, int parts,
            List<Entry> entries) {
        Replica r = heard(replica, seq, sentMillis);
        if (r == null) {
            return;
        }
        if (part == 0) {
            r.snapshotId = snapshotId;
            r.snapshot = new HashMap<>();
        } else if (r.snapshotId != snapshotId || r.snapshot == null) {
            return; // its first part was missed: wait for the next snapshot
        }
        entries.forEach(e -> r.snapshot.put(e.key(), e));
        if (part < parts - 1) {
            return;
        }
        Map<Key, Entry> complete = r.snapshot;
        r.snapshot = null;
        long now = nanoClock.getAsLong();
        for (Key key : new ArrayList<>(r.keys)) {
            if (!complete.containsKey(key)) {
                set(new Entry(key, 0, null), replica, now);
            }
        }
        complete.values().forEach(e -> set(e, replica, now));
        r.gapped = false;
    }

    /** Another replica shut down gracefully: its users' connections are gone now (their grace starts). */
    public synchronized void bye(String replica, long seq, long sentMillis) {
        if (heard(replica, seq, sentMillis) != null) {
            drop(replicas.get(replica));
        }
    }

    /**
     * Drops the replicas not heard from for the replica timeout. Time is the feed's own: the newest
     * send time of any presence message received, this replica's own heartbeats included. A replica
     * whose consumer lags receives its own heartbeats late too, so it never takes its peers for dead
     * just because it is behind.
     */
    public synchronized int expireReplicas() {
        int expired = 0;
        for (Replica r : new ArrayList<>(replicas.values())) {
            if (feedClockMillis - r.lastSentMillis > replicaTimeoutMillis) {
                drop(r);
                events.replicaExpired();
                expired++;
            }
        }
        return expired;
    }

    /** The message's replica, or null when it is to be ignored (ours, departed, or a redelivery). */
    private Replica heard(String replica, long seq, long sentMillis) {
        feedClockMillis = Math.max(feedClockMillis, sentMillis);
        if (replica.equals(self) || departed.containsKey(replica)) {
            return null;
        }
        Replica r = replicas.computeIfAbsent(replica, Replica::new);
        r.lastSentMillis = Math.max(r.lastSentMillis, sentMillis);
        if (seq <= r.lastSeq) {
            return null;
        }
        if (r.lastSeq >= 0 && seq != r.lastSeq + 1) {
            r.gapped = true;
            events.gap();
        }
        r.lastSeq = seq;
        return r;
    }

    private void drop(Replica r) {
        long now = nanoClock.getAsLong();
        for (Key key : new ArrayList<>(r.keys)) {
            set(new Entry(key, 0, null), r.id, now);
        }
        replicas.remove(r.id);
        departed.put(r.id, Boolean.TRUE);
    }

    // ---- stats ----

    /** Members of every topic with any, as last announced (for /stats), most first, at most {@code limit}. */
    public synchronized Map<String, Integer> membersPerTopic(int limit) {
        var sorted = new ArrayList<>(topics.values());
        sorted.removeIf(t -> t.announced == 0);
        sorted.sort((a, b) -> Integer.compare(b.announced, a.announced));
        Map<String, Integer> out = new LinkedHashMap<>();
        for (TopicState t : sorted.subList(0, Math.min(limit, sorted.size()))) {
            out.put(t.name, t.announced);
        }
        return out;
    }

    /** Members summed over topics (a user on two topics counts twice). */
    public synchronized int memberCount() {
        int n = 0;
        for (TopicState t : topics.values()) {
            n += t.announced;
        }
        return n;
    }

    /** The other replicas heard from, with whether their sequence has an unhealed gap. */
    public synchronized Map<String, Boolean> peers() {
        Map<String, Boolean> out = new TreeMap<>();
        replicas.forEach((id, r) -> out.put(id, r.gapped));
        return out;
    }

    public synchronized long diffsSent() {
        return diffsSent;
    }
}
