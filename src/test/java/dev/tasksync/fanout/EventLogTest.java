package dev.tasksync.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class EventLogTest {

    /** A settable clock. */
    static final class TestClock extends Clock {
        final AtomicLong millis = new AtomicLong(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }
    }

    private final Hub hub = new Hub();
    private final TestClock clock = new TestClock();
    private final EventLog log = new EventLog(hub, clock, 3, Duration.ofMinutes(5), 1000);

    @Test
    void redeliveredIdIsNotDeliveredTwice() {
        var a = new HubTest.Probe("1", "alice", false);
        log.join(a, null, j -> { });
        assertThat(log.publishToUser("alice", "e1", frame("e1")).duplicate()).isFalse();
        assertThat(log.publishToUser("alice", "e1", frame("e1")).duplicate()).isTrue();
        assertThat(texts(a)).containsExactly("e1");
    }

    @Test
    void joinWithSinceReplaysWhatFollowsItThenGoesLive() {
        log.publishToUser("alice", "e1", frame("e1"));
        log.publishToUser("alice", "e2", frame("e2"));
        log.publishToUser("bob", "b1", frame("b1"));
        log.publishToUser("alice", "e3", frame("e3"));
        var a = new HubTest.Probe("1", "alice", false);
        var join = log.join(a, "e1", j -> a.offer(frame("hello")));
        log.publishToUser("alice", "e4", frame("e4"));

        assertThat(join.resumed()).isTrue();
        assertThat(texts(a)).containsExactly("hello", "e2", "e3", "e4");
        // Replayed history is not a live delivery: it carries no latency timestamps.
        synchronized (a) {
            assertThat(a.offered.subList(1, 3)).noneMatch(Frame::timed);
            assertThat(a.offered.get(3).timed()).isTrue();
        }
    }

    @Test
    void unknownOrEvictedSinceIsNotResumed() {
        var a = new HubTest.Probe("1", "alice", false);
        assertThat(log.join(a, "never-seen", j -> { }).resumed()).isFalse();

        for (int i = 1; i <= 5; i++) {
            log.publishToUser("bob", "b" + i, frame("b" + i));
        }
        // Only 3 per stream are kept: resuming after b1 would skip b2.
        var b = new HubTest.Probe("2", "bob", false);
        assertThat(log.join(b, "b1", j -> { }).resumed()).isFalse();
        var b2 = new HubTest.Probe("3", "bob", false);
        assertThat(log.join(b2, "b2", j -> { }).resumed()).isTrue();
        assertThat(texts(b2)).containsExactly("b3", "b4", "b5");
    }

    @Test
    void expiredHistoryIsNotReplayed() {
        log.publishToUser("alice", "e1", frame("e1"));
        log.publishToUser("alice", "e2", frame("e2"));
        clock.millis.addAndGet(Duration.ofMinutes(6).toMillis());
        log.sweep();
        assertThat(log.streamCount()).as("expired streams are dropped").isZero();
        var a = new HubTest.Probe("1", "alice", false);
        assertThat(log.join(a, "e1", j -> { }).resumed()).isFalse();
    }

    @Test
    void topicSubscriptionReplaysFromTheResumePoint() {
        log.publishToTopic("list:1", "t1", frame("t1"));
        log.publishToUser("alice", "e1", frame("e1"));
        log.publishToTopic("list:1", "t2", frame("t2"));
        var a = new HubTest.Probe("1", "alice", false);
        var join = log.join(a, "t1", j -> { });
        assertThat(join.resumed()).isTrue();
        assertThat(log.subscribe(a, "list:1", join.since())).isTrue();
        log.publishToTopic("list:1", "t3", frame("t3"));
        assertThat(texts(a)).containsExactly("e1", "t2", "t3");
    }

    @Test
    void concurrentPublishAndJoinNeverLoseOrDuplicate() throws Exception {
        var big = new EventLog(hub, clock, 100_000, Duration.ofMinutes(5), 1_000_000);
        int events = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        var start = new CountDownLatch(1);
        var probes = new java.util.concurrent.ConcurrentLinkedQueue<HubTest.Probe>();
        big.publishToUser("u", "e0", frame("e0"));
        pool.submit(() -> {
            start.await();
            for (int i = 1; i <= events; i++) {
                big.publishToUser("u", "e" + i, frame("e" + i));
            }
            return null;
        });
        pool.submit(() -> {
            start.await();
            for (int i = 0; i < 200; i++) {
                var p = new HubTest.Probe("p" + i, "u", false);
                big.join(p, "e0", j -> { });
                probes.add(p);
            }
            return null;
        });
        start.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        List<String> expected = java.util.stream.IntStream.rangeClosed(1, events).mapToObj(i -> "e" + i).toList();
        assertThat(probes).hasSize(200);
        for (var p : probes) {
            assertThat(texts(p)).as(p.id).isEqualTo(expected);
        }
    }

    private static Frame frame(String s) {
        return Frame.live(s.getBytes(StandardCharsets.UTF_8), "task_update", s, System.currentTimeMillis(), System.nanoTime());
    }

    private static List<String> texts(HubTest.Probe p) {
        synchronized (p) {
            return p.frames.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
        }
    }
}
