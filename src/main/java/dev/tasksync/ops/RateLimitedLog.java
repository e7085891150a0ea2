package dev.tasksync.ops;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/** Logs at most {@code limit} warnings per window, so a flood of bad input cannot flood the log. */
public final class RateLimitedLog {

    private final Logger log;
    private final int limit;
    private final long windowNanos;
    private final AtomicLong windowStart = new AtomicLong(System.nanoTime());
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicInteger suppressed = new AtomicInteger();

    public RateLimitedLog(Logger log, int limit, Duration window) {
        this.log = log;
        this.limit = limit;
        this.windowNanos = window.toNanos();
    }

    public void warn(String format, Object... args) {
        long now = System.nanoTime();
        long start = windowStart.get();
        if (now - start > windowNanos && windowStart.compareAndSet(start, now)) {
            count.set(0);
            int skipped = suppressed.getAndSet(0);
            if (skipped > 0) {
                log.warn("{} similar warnings suppressed in the last {}s", skipped, windowNanos / 1_000_000_000L);
            }
        }
        if (count.incrementAndGet() <= limit) {
            log.warn(format, args);
        } else {
            suppressed.incrementAndGet();
        }
    }
}
