package dev.tasksync.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real kustomize CLI, the reference for {@link Kustomize}: {@code -Dkustomize.binary=...} or
 * {@code KUSTOMIZE_BINARY}, else built once per machine from the Go module proxy by
 * src/test/k8s/build-kustomize.sh (cached under ~/.cache/tasksync). Empty, with the reason, when
 * there is no Go toolchain to build it with.
 */
final class KustomizeCli {

    /** Why the CLI is unavailable, or the path of the binary. */
    record Located(Optional<Path> binary, String reason) {
    }

    private static Located located;

    private KustomizeCli() {
    }

    static synchronized Located locate() {
        if (located == null) {
            located = find();
        }
        return located;
    }

    private static Located find() {
        String configured = System.getProperty("kustomize.binary", System.getenv("KUSTOMIZE_BINARY"));
        if (configured != null && !configured.isBlank()) {
            Path binary = Path.of(configured);
            if (!Files.isExecutable(binary)) {
                throw new IllegalStateException("kustomize.binary/KUSTOMIZE_BINARY points to a missing or non-executable file: "
                        + binary);
            }
            return new Located(Optional.of(binary), "configured");
        }
        Path script = DeployFiles.root().resolve("src/test/k8s/build-kustomize.sh");
        Path log = logDir().resolve("build-kustomize.log");
        try {
            Process build = new ProcessBuilder("bash", script.toString())
                    .directory(DeployFiles.root().toFile())
                    .redirectError(log.toFile())
                    .start();
            String stdout = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!build.waitFor(15, TimeUnit.MINUTES)) {
                build.destroyForcibly();
                throw new IllegalStateException("kustomize build did not finish in 15 min; see " + log);
            }
            if (build.exitValue() == 3) {
                return new Located(Optional.empty(), "no Go toolchain to build kustomize with (" + DeployFiles.rel(script)
                        + "); set -Dkustomize.binary to compare with a kustomize you have");
            }
            if (build.exitValue() != 0 || stdout.isEmpty()) {
                throw new IllegalStateException("kustomize could not be built (exit " + build.exitValue() + "):\n"
                        + String.join("\n", tail(log)) + "\nfull log: " + log);
            }
            return new Located(Optional.of(Path.of(stdout.lines().reduce((a, b) -> b).orElseThrow())), "built");
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building kustomize", e);
        }
    }

    /** {@code kustomize build dir}: the rendered YAML stream. */
    static String build(Path binary, Path dir) {
        Path out = logDir().resolve("kustomize-" + dir.getFileName() + ".yaml");
        Path err = logDir().resolve("kustomize-" + dir.getFileName() + ".err");
        try {
            Process p = new ProcessBuilder(binary.toString(), "build", dir.toString())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("kustomize build " + DeployFiles.rel(dir) + " did not finish in 2 min");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("kustomize build " + DeployFiles.rel(dir) + " failed (exit " + p.exitValue() + "):\n"
                        + Files.readString(err));
            }
            return Files.readString(out);
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + binary, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running kustomize", e);
        }
    }

    static Path logDir() {
        try {
            return Files.createDirectories(DeployFiles.root().resolve("target/deploy"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return lines.subList(Math.max(0, lines.size() - 15), lines.size());
    }
}
