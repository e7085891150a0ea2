package dev.tasksync.session;

/**
 * A token bucket: {@code rate} tokens a second, at most {@code burst} saved up; starts full. Not
 * thread-safe: one connection's inbound side owns it.
 */
public final class TokenBucket {

    private double tokens = -1;
    private long refilledNanos;

    /** Takes one token; false when the caller exceeded {@code rate}/s with {@code burst} headroom. */
    public boolean take(long nowNanos, double rate, int burst) {
        if (tokens < 0) {
            tokens = burst;
            refilledNanos = nowNanos;
        }
        tokens = Math.min(burst, tokens + (nowNanos - refilledNanos) * rate / 1e9);
        refilledNanos = nowNanos;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
