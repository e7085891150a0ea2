package dev.tasksync.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * target/jib-image.tar as `docker load` would see it: manifest.json, the config JSON, the layer
 * tarballs, and the image's root filesystem unpacked layer by layer (whiteouts applied) with
 * owners and modes kept. Uses GNU tar (present wherever the build runs: the base image script needs it too).
 */
final class ImageTarball {

    static final JsonMapper JSON = JsonMapper.builder().build();

    /** Where pom.xml's jib configuration writes the image (outputPaths/tar). */
    static Path path() {
        return Path.of(JibConfig.read().required("outputPaths/tar"));
    }

    private static ImageTarball unpacked;

    final Path tarball;
    final Path dir;
    final JsonNode manifest;
    final JsonNode config;
    final List<Path> layers;
    private Path rootfs;

    private ImageTarball(Path tarball, Path dir) {
        this.tarball = tarball;
        this.dir = dir;
        tar("-xf", tarball.toString(), "-C", dir.toString());
        JsonNode all = JSON.readTree(dir.resolve("manifest.json").toFile());
        if (!all.isArray() || all.size() != 1) {
            throw new AssertionError(tarball + ": manifest.json must describe exactly one image: " + all);
        }
        manifest = all.get(0);
        config = JSON.readTree(dir.resolve(manifest.path("Config").asString()).toFile());
        List<Path> files = new ArrayList<>();
        manifest.path("Layers").forEach(l -> files.add(dir.resolve(l.asString())));
        layers = List.copyOf(files);
    }

    /** The tarball the build made, unpacked once per test JVM under target/image-test. */
    static synchronized ImageTarball load() {
        if (unpacked == null) {
            unpacked = unpack(path(), DeployFiles.root().resolve("target/image-test"));
        }
        return unpacked;
    }

    /** Any `docker save`-format tarball (gzip or plain layers), unpacked into {@code work}/image (rootfs: {@code work}/rootfs). */
    static ImageTarball unpack(Path tarball, Path work) {
        if (!Files.isRegularFile(tarball)) {
            throw new AssertionError(tarball + " does not exist: it is built in the pre-integration-test phase "
                    + "(mvn verify, make image); run the image tests with `mvn verify`, not on their own");
        }
        deleteTree(work);
        try {
            Files.createDirectories(work.resolve("image"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ImageTarball(tarball, work.resolve("image"));
    }

    JsonNode containerConfig() {
        return config.path("config");
    }

    List<String> env() {
        List<String> env = new ArrayList<>();
        containerConfig().path("Env").forEach(e -> env.add(e.asString()));
        return env;
    }

    List<String> entrypoint() {
        List<String> list = new ArrayList<>();
        containerConfig().path("Entrypoint").forEach(e -> list.add(e.asString()));
        return list;
    }

    /** `tar -tv` of one layer: "mode owner/group size date time path[ -> target]" lines. */
    List<String> listing(Path layer) {
        return List.of(tar("--warning=no-unknown-keyword", "--numeric-owner", "-tvf", layer.toString()).split("\n"));
    }

    /** The image's root filesystem, layers applied in order as a container runtime does. */
    synchronized Path rootfs() {
        if (rootfs == null) {
            Path root = dir.resolveSibling("rootfs");
            try {
                Files.createDirectories(root);
                for (Path layer : layers) {
                    applyWhiteouts(root, tar("--warning=no-unknown-keyword", "-tf", layer.toString()).split("\n"));
                    // Owners as in the image where we may set them (root); elsewhere the files are ours.
                    tar("--warning=no-unknown-keyword", isRoot() ? "--same-owner" : "--no-same-owner",
                            "--same-permissions", "--numeric-owner", "--exclude=.wh.*", "-xf", layer.toString(),
                            "-C", root.toString());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            rootfs = root;
        }
        return rootfs;
    }

    /** OCI whiteouts: ".wh.NAME" deletes NAME from lower layers, ".wh..wh..opq" empties its directory. */
    private static void applyWhiteouts(Path root, String[] entries) throws IOException {
        for (String entry : entries) {
            Path p = Path.of(entry);
            String name = p.getFileName() == null ? "" : p.getFileName().toString();
            if (!name.startsWith(".wh.")) {
                continue;
            }
            Path parent = root.resolve(p.getParent() == null ? "" : p.getParent().toString()).normalize();
            if (!parent.startsWith(root)) {
                throw new AssertionError("layer entry escapes the root: " + entry);
            }
            if (name.equals(".wh..wh..opq")) {
                if (Files.isDirectory(parent)) {
                    try (Stream<Path> children = Files.list(parent)) {
                        for (Path c : children.toList()) {
                            deleteTree(c);
                        }
                    }
                }
            } else {
                deleteTree(parent.resolve(name.substring(".wh.".length())));
            }
        }
    }

    static boolean isRoot() {
        return run(List.of("id", "-u"), 10).trim().equals("0");
    }

    static String tar(String... args) {
        List<String> command = new ArrayList<>(List.of("tar"));
        command.addAll(List.of(args));
        return run(command, 300);
    }

    /** Runs a command, returns its stdout; fails with its output when it exits non-zero. */
    static String run(List<String> command, int timeoutSeconds) {
        try {
            Path err = Files.createTempFile("image-test", ".err");
            try {
                Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
                p.getOutputStream().close();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
                }
                if (p.exitValue() != 0) {
                    throw new AssertionError(String.join(" ", command) + " exited " + p.exitValue() + ":\n"
                            + Files.readString(err));
                }
                return out;
            } finally {
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void deleteTree(Path path) {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
