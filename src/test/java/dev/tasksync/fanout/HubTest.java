package dev.tasksync.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HubTest {

    /** A recipient that records frames, or refuses them like a full queue. */
    static final class Probe implements Recipient {
        final String id;
        final String user;
        final boolean full;
        final Set<String> topics = ConcurrentHashMap.newKeySet();
        final List<byte[]> frames = new ArrayList<>();
        final List<Frame> offered = new ArrayList<>();
        volatile boolean goneAway;

        Probe(String id, String user, boolean full) {
            this.id = id;
            this.user = user;
            this.full = full;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String userId() {
            return user;
        }

        @Override
        public Set<String> topics() {
            return topics;
        }

        @Override
        public void goAway() {
            goneAway = true;
        }

        @Override
        public synchronized boolean offer(Frame frame) {
            if (full) {
                return false;
            }
            frames.add(frame.bytes());
            offered.add(frame);
            return true;
        }
    }

    private final Hub hub = new Hub();

    @Test
    void publishesToTheUsersConnectionsOnlyAndSharesTheBytes() {
        var a1 = new Probe("1", "alice", false);
        var a2 = new Probe("2", "alice", false);
        var b1 = new Probe("3", "bob", false);
        hub.add(a1);
        hub.add(a2);
        hub.add(b1);
        byte[] bytes = {1};
        Frame frame = Frame.live(bytes, "task_update", "e1", 1L, 2L);

        assertThat(hub.publishToUser("alice", frame)).isEqualTo(new Delivery(2, 0));
        assertThat(a1.frames).containsExactly(bytes);
        // One frame object per event, timestamps included: nothing is allocated per recipient.
        assertThat(a1.offered.get(0)).isSameAs(frame).isSameAs(a2.offered.get(0));
        assertThat(b1.frames).isEmpty();
        assertThat(hub.publishToUser("nobody", frame)).isEqualTo(Delivery.NONE);
    }

    @Test
    void countsRecipientsThatCannotTakeTheFrame() {
        hub.add(new Probe("1", "alice", false));
        hub.add(new Probe("2", "alice", true));
        assertThat(hub.publishToUser("alice", Frame.untimed(new byte[0]))).isEqualTo(new Delivery(1, 1));
    }

    @Test
    void topicSubscriptionsAreIndexedAndRemovedWithTheConnection() {
        var a = new Probe("1", "alice", false);
        var b = new Probe("2", "bob", false);
        hub.add(a);
        hub.add(b);
        assertThat(hub.subscribe(a, "list:1")).isTrue();
        assertThat(hub.subscribe(a, "list:1")).isFalse();
        hub.subscribe(b, "list:1");
        hub.subscribe(b, "list:2");
        assertThat(hub.topicCount()).isEqualTo(2);
        assertThat(hub.publishToTopic("list:1", Frame.untimed(new byte[0])).delivered()).isEqualTo(2);

        hub.remove(b);
        assertThat(hub.publishToTopic("list:1", Frame.untimed(new byte[0])).delivered()).isEqualTo(1);
        assertThat(hub.topicCount()).isEqualTo(1);
        assertThat(hub.unsubscribe(a, "list:1")).isTrue();
        assertThat(hub.topicCount()).isZero();
        assertThat(hub.connectionsPerUser()).containsOnlyKeys("alice");
        hub.remove(a);
        hub.remove(a);
        assertThat(hub.connectionCount()).isZero();
        assertThat(hub.userCount()).isZero();
    }

    @Test
    void goAwayReachesEveryConnection() {
        var a = new Probe("1", "alice", false);
        var b = new Probe("2", "bob", false);
        hub.add(a);
        hub.add(b);
        assertThat(hub.goAwayAll()).isEqualTo(2);
        assertThat(a.goneAway).isTrue();
        assertThat(b.goneAway).isTrue();
    }

    @Test
    void concurrentConnectsAndDisconnectsOfOneUserLeaveAConsistentIndex() throws Exception {
        int threads = 8;
        int perThread = 2_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        var start = new CountDownLatch(1);
        for (int t = 0; t < threads; t++) {
            int base = t * perThread;
            pool.submit(() -> {
                start.await();
                for (int i = 0; i < perThread; i++) {
                    var p = new Probe(String.valueOf(base + i), "shared", false);
                    hub.add(p);
                    hub.subscribe(p, "topic");
                    if (i % 2 == 0) {
                        hub.remove(p);
                    }
                }
                return null;
            });
        }
        start.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        int expected = threads * perThread / 2;
        assertThat(hub.connectionCount()).isEqualTo(expected);
        assertThat(hub.connectionsPerUser()).containsEntry("shared", expected);
        assertThat(hub.publishToTopic("topic", Frame.untimed(new byte[0])).delivered()).isEqualTo(expected);
    }
}
