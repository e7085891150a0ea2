package dev.tasksync.support;

import org.junit.jupiter.api.Assumptions;

/**
 * A machine prerequisite of a test (root, a Go toolchain, a Docker engine). On a developer's
 * machine a missing one skips the test with the reason; in CI (the {@code CI} environment
 * variable set, as {@code .ci/run} runs) it fails the test with the same reason: a skip there
 * would show a green run that never exercised what the test names.
 */
public final class Prerequisite {

    private Prerequisite() {
    }

    /** True when running in CI: the {@code CI} environment variable is set to anything but "" or "false". */
    public static boolean inCi() {
        String ci = System.getenv("CI");
        return ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false");
    }

    /** Skips (outside CI) or fails (in CI) unless {@code present}. */
    public static void require(boolean present, String what) {
        if (present) {
            return;
        }
        if (inCi()) {
            throw new AssertionError("CI prerequisite missing: " + what
                    + " (CI is set, so this fails instead of being skipped)");
        }
        Assumptions.abort(what + " (skipped; in CI, with CI set, this fails)");
    }
}
