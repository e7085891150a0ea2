package dev.tasksync.e2e.support;

import dev.tasksync.support.GoTool;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Finds the daprd binary: {@code -Ddaprd.binary=...} or {@code DAPRD_BINARY}, else builds it with
 * src/test/dapr/build-daprd.sh (cached, so only the first run on a machine pays the Go build).
 */
public final class DaprdBinary {

    private static Path resolved;

    private DaprdBinary() {
    }

    public static synchronized Path path() {
        if (resolved == null) {
            resolved = locate();
        }
        return resolved;
    }

    private static Path locate() {
        var located = GoTool.locate("daprd", "daprd.binary", "DAPRD_BINARY",
                ProjectPaths.root().resolve("src/test/dapr/build-daprd.sh"), ProjectPaths.root(),
                ProjectPaths.logDir().resolve("build-daprd.log"),
                Duration.ofMinutes(Long.getLong("daprd.build.timeout.minutes", 40)));
        // The end-to-end tests are the point of the harness: no daprd is a failure, never a skip.
        return located.binary().orElseThrow(() -> new IllegalStateException(located.reason()));
    }
}
