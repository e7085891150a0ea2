package dev.tasksync.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Locations inside the repo; Surefire runs tests with the project dir as basedir. */
public final class ProjectPaths {

    private ProjectPaths() {
    }

    public static Path root() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    }

    /** The real Dapr components that the app uses in every environment. */
    public static Path components() {
        return root().resolve("components");
    }

    /** Harness-only Dapr Configuration (loopback name resolution, no mDNS). */
    public static Path daprConfig() {
        return root().resolve("src/test/dapr/config.yaml");
    }

    /** target/e2e, created on demand: logs of every process the harness starts. */
    public static Path logDir() {
        Path dir = root().resolve("target/e2e");
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
