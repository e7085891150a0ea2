package dev.tasksync.deploy;

import dev.tasksync.support.GoTool;
import dev.tasksync.support.GoTool.Located;
import java.io.IOException;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The real kustomize CLI, the reference for {@link Kustomize}: {@code -Dkustomize.binary=...} or
 * {@code KUSTOMIZE_BINARY}, else built once per machine from the Go module proxy by
 * src/test/k8s/build-kustomize.sh (cached under ~/.cache/tasksync). Empty, with the reason, when
 * there is no Go toolchain to build it with.
 */
final class KustomizeCli {

    /** Why the CLI is unavailable, or the path of the binary. */
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
        return GoTool.locate("kustomize", "kustomize.binary", "KUSTOMIZE_BINARY",
                DeployFiles.root().resolve("src/test/k8s/build-kustomize.sh"), DeployFiles.root(),
                logDir().resolve("build-kustomize.log"), Duration.ofMinutes(15));
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

}
