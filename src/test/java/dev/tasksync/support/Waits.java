package dev.tasksync.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polling helpers for tests that wait on other processes. */
public final class Waits {

    private Waits() {
    }

    /** Sleeps, turning an interrupt into an unchecked failure (and keeping the flag). */
    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Polls {@code condition} every 100 ms; fails when it is still false after {@code timeout}. */
    public static void until(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            sleep(100);
        }
    }
}
