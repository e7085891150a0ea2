package dev.tasksync.fanout;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connection registry: two indexes, connections by user and subscribers by topic, so
 * who-gets-what is one lookup, never a scan. Reads (every publication) take no lock;
 * writes lock only the map bin of one user or topic, so unrelated connects and subscribes
 * don't contend. Frames arrive already encoded and are shared by all recipients; a publication
 * hands each writer thread (event loop) one task for all of its recipients.
 */
public final class Hub {

    private final Map<String, Set<Recipient>> byUser = new ConcurrentHashMap<>();
    private final Map<String, Set<Recipient>> byTopic = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile SubscriptionListener listener = SubscriptionListener.NONE;

    /** Told of every subscription made or ended (presence counts them); called on the subscriber's thread. */
    public interface SubscriptionListener {
        SubscriptionListener NONE = new SubscriptionListener() {
            @Override
            public void subscribed(Recipient r, String topic) {
            }

            @Override
            public void unsubscribed(Recipient r, String topic) {
            }
        };

        void subscribed(Recipient r, String topic);

        void unsubscribed(Recipient r, String topic);
    }

    /** Installs the one listener of subscriptions (presence). */
    public void listen(SubscriptionListener l) {
        this.listener = l;
    }

    /** Registers a connection for its user's events. */
    public void add(Recipient r) {
        byUser.compute(r.userId(), (user, set) -> {
            Set<Recipient> s = set == null ? ConcurrentHashMap.newKeySet() : set;
            s.add(r);
            return s;
        });
        connections.incrementAndGet();
    }

    /** Forgets a connection and all its subscriptions. Safe to call more than once. */
    public void remove(Recipient r) {
        for (String topic : r.topics()) {
            unsubscribe(r, topic);
        }
        boolean[] removed = {false};
        byUser.computeIfPresent(r.userId(), (user, set) -> {
            removed[0] = set.remove(r);
            return set.isEmpty() ? null : set;
        });
        if (removed[0]) {
            connections.decrementAndGet();
        }
    }

    /** Adds a subscription; returns false if it already existed. */
    public boolean subscribe(Recipient r, String topic) {
        if (!r.topics().add(topic)) {
            return false;
        }
        byTopic.compute(topic, (t, set) -> {
            Set<Recipient> s = set == null ? ConcurrentHashMap.newKeySet() : set;
            s.add(r);
            return s;
        });
        listener.subscribed(r, topic);
        return true;
    }

    /** Removes a subscription; returns false if there was none. */
    public boolean unsubscribe(Recipient r, String topic) {
        if (!r.topics().remove(topic)) {
            return false;
        }
        byTopic.computeIfPresent(topic, (t, set) -> {
            set.remove(r);
            return set.isEmpty() ? null : set;
        });
        listener.unsubscribed(r, topic);
        return true;
    }

    /** Hands {@code frame} to every connection of {@code userId}. */
    public Delivery publishToUser(String userId, Frame frame) {
        return offerAll(byUser.get(userId), frame, null);
    }

    /** Hands {@code frame} to every subscriber of {@code topic}. */
    public Delivery publishToTopic(String topic, Frame frame) {
        return offerAll(byTopic.get(topic), frame, null);
    }

    /** Hands {@code frame} to every subscriber of {@code topic} but {@code except} (a signal's sender). */
    public Delivery publishToTopic(String topic, Frame frame, Recipient except) {
        return offerAll(byTopic.get(topic), frame, except);
    }

    /** Hands {@code frame} to each of {@code recipients} (e.g. a topic's presence watchers), batched per writer. */
    public static Delivery offerAll(Iterable<? extends Recipient> recipients, Frame frame) {
        return offerAll(recipients, frame, null);
    }

    private static Delivery offerAll(Iterable<? extends Recipient> recipients, Frame frame, Recipient except) {
        if (recipients == null) {
            return Delivery.NONE;
        }
        int delivered = 0;
        int dropped = 0;
        WriteBatch batch = null;
        for (Recipient r : recipients) {
            if (r == except) {
                continue;
            }
            var writer = r.writer();
            boolean accepted;
            if (writer == null) {
                accepted = r.offer(frame);
            } else if (accepted = r.accept(frame)) {
                if (batch == null) {
                    batch = new WriteBatch(frame);
                }
                batch.add(writer, r);
            }
            if (accepted) {
                delivered++;
            } else {
                dropped++;
            }
        }
        if (batch != null) {
            batch.submit();
        }
        return new Delivery(delivered, dropped);
    }

    /** Open connections of {@code userId}. */
    public int connectionsOf(String userId) {
        Set<Recipient> set = byUser.get(userId);
        return set == null ? 0 : set.size();
    }

    /** Visits every open connection (for periodic housekeeping such as heartbeats). */
    public void forEach(java.util.function.Consumer<Recipient> action) {
        for (Set<Recipient> set : byUser.values()) {
            set.forEach(action);
        }
    }

    /** Asks every connection to go away; returns how many were asked. */
    public int goAwayAll() {
        int[] n = {0};
        forEach(r -> {
            r.goAway();
            n[0]++;
        });
        return n[0];
    }

    public int connectionCount() {
        return connections.get();
    }

    public int userCount() {
        return byUser.size();
    }

    public int topicCount() {
        return byTopic.size();
    }

    /** Open connections per user, sorted by user id. */
    public Map<String, Integer> connectionsPerUser() {
        Map<String, Integer> out = new TreeMap<>();
        byUser.forEach((user, set) -> {
            if (!set.isEmpty()) {
                out.put(user, set.size());
            }
        });
        return out;
    }
}
