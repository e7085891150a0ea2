package dev.tasksync.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A tool the tests build from the Go module proxy with a caching script (daprd, kustomize),
 * or take from a configured path. The scripts print the binary path on stdout and exit 3
 * when no Go toolchain is installed.
 */
public final class GoTool {

    /** The binary, or why there is none (only when the machine has no Go toolchain). */
    public record Located(Optional<Path> binary, String reason) {
    }

    private GoTool() {
    }

    /**
     * @param property system property (then env variable {@code env}) naming an existing binary
     * @param script build script, run from {@code workDir}; its stderr goes to {@code log}
     */
    public static Located locate(String name, String property, String env, Path script, Path workDir, Path log,
            Duration timeout) {
        String configured = System.getProperty(property, System.getenv(env));
        if (configured != null && !configured.isBlank()) {
            Path binary = Path.of(configured);
            if (!Files.isExecutable(binary)) {
                throw new IllegalStateException(property + "/" + env + " points to a missing or non-executable file: "
                        + binary);
            }
            return new Located(Optional.of(binary), "configured");
        }
        try {
            Files.createDirectories(log.getParent());
            Process build = new ProcessBuilder("bash", script.toString())
                    .directory(workDir.toFile())
                    .redirectError(log.toFile())
                    .start();
            String stdout = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!build.waitFor(timeout.toMinutes(), TimeUnit.MINUTES)) {
                build.destroyForcibly();
                throw new IllegalStateException(name + " build did not finish in " + timeout + "; see " + log);
            }
            if (build.exitValue() == 3) {
                return new Located(Optional.empty(), "no Go toolchain to build " + name + " with (" + script
                        + "); set -D" + property + " to use one you have");
            }
            if (build.exitValue() != 0 || stdout.isEmpty()) {
                throw new IllegalStateException(name + " could not be built (exit " + build.exitValue() + "):\n"
                        + tail(log) + "\nfull log: " + log);
            }
            Path binary = Path.of(stdout.lines().reduce((a, b) -> b).orElseThrow());
            if (!Files.isExecutable(binary)) {
                throw new IllegalStateException(script + " printed " + binary + " but it is not executable");
            }
            return new Located(Optional.of(binary), "built");
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building " + name, e);
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    }
}
