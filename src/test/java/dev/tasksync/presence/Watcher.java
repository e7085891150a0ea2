package dev.tasksync.presence;

import dev.tasksync.fanout.Frame;
import dev.tasksync.fanout.Recipient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A recipient that keeps what it is offered (any thread). */
final class Watcher implements Recipient {

    private final String id;
    private final Set<String> topics = ConcurrentHashMap.newKeySet();
    private final LinkedBlockingQueue<Frame> frames = new LinkedBlockingQueue<>();

    Watcher(String id) {
        this.id = id;
    }

    /** The frames offered so far. */
    List<Frame> take() {
        List<Frame> out = new ArrayList<>();
        frames.drainTo(out);
        return out;
    }

    /** The next frame offered within {@code timeout}, or null. */
    Frame next(Duration timeout) throws InterruptedException {
        return frames.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String userId() {
        return id;
    }

    @Override
    public Set<String> topics() {
        return topics;
    }

    @Override
    public boolean offer(Frame frame) {
        return frames.add(frame);
    }

    @Override
    public void goAway() {
    }
}
