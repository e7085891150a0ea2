package dev.tasksync.e2e.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
        String configured = System.getProperty("daprd.binary", System.getenv("DAPRD_BINARY"));
        if (configured != null && !configured.isBlank()) {
            Path binary = Path.of(configured);
            if (!Files.isExecutable(binary)) {
                throw new IllegalStateException("daprd.binary/DAPRD_BINARY points to a missing or non-executable file: " + binary);
            }
            return binary;
        }
        return build();
    }

    private static Path build() {
        Path script = ProjectPaths.root().resolve("src/test/dapr/build-daprd.sh");
        Path log = ProjectPaths.logDir().resolve("build-daprd.log");
        long timeoutMinutes = Long.getLong("daprd.build.timeout.minutes", 40);
        try {
            Process build = new ProcessBuilder("bash", script.toString())
                    .directory(ProjectPaths.root().toFile())
                    .redirectError(log.toFile())
                    .start();
            ProcessCleanup.register(build);
            String stdout = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!build.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
                build.destroyForcibly();
                throw new IllegalStateException("daprd build did not finish in " + timeoutMinutes + " min; see " + log);
            }
            if (build.exitValue() != 0 || stdout.isEmpty()) {
                throw new IllegalStateException("daprd binary could not be built (exit " + build.exitValue() + "):\n"
                        + tail(log) + "\nfull log: " + log);
            }
            Path binary = Path.of(stdout.lines().reduce((a, b) -> b).orElseThrow());
            if (!Files.isExecutable(binary)) {
                throw new IllegalStateException("build-daprd.sh printed " + binary + " but it is not executable");
            }
            return binary;
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building daprd", e);
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    }
}
