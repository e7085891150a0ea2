package dev.tasksync.deploy;

import static org.junit.jupiter.api.Assertions.fail;

import dev.tasksync.support.Prerequisite;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An unpacked image root filesystem run as a container would run it, without a container engine,
 * through src/test/image/run-rootfs.sh: one process whose pid is the entrypoint's (the script
 * execs all the way down), listening on a free port given as PORT.
 */
record RootfsContainer(Process process, int port, Path log) implements AutoCloseable {

    static final Duration STARTUP = Duration.ofSeconds(90);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * Running a root filesystem needs root (mount, chroot) and util-linux unshare; otherwise the test
     * is skipped, and in CI (where .ci/run runs as root) it fails ({@link Prerequisite}).
     */
    static void assumeCanRun() {
        Prerequisite.require(ImageTarball.isRoot(),
                "running an image without a container engine needs root (mount, chroot); this test JVM is not root");
        Prerequisite.require(Files.isExecutable(Path.of("/usr/bin/unshare")), "util-linux unshare is not installed");
    }

    /**
     * @param user "uid:gid"
     * @param env the image's Env ("NAME=value"), then {@code extraEnv}; nothing of the test JVM's environment
     */
    static RootfsContainer start(String name, Path rootfs, String user, String workDir, List<String> env,
            Map<String, String> extraEnv, List<String> command) throws IOException {
        String[] ids = user.split(":");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> full = new ArrayList<>(List.of("bash", DeployFiles.root().resolve("src/test/image/run-rootfs.sh").toString(),
                rootfs.toString(), ids[0], ids[1], workDir, "--"));
        full.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(full);
        Map<String, String> environment = pb.environment();
        environment.clear();
        for (String e : env) {
            environment.put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
        }
        // PORT is how a platform moves server.port (the Deployment keeps 8005): a free port here.
        environment.put("PORT", Integer.toString(port));
        environment.putAll(extraEnv);
        Path log = DeployFiles.root().resolve("target/image-test-logs/" + name + ".log");
        Files.createDirectories(log.getParent());
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        return new RootfsContainer(pb.start(), port, log);
    }

    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** 200 when {@code path} answers 200 with "UP", else the status, or -1 when nothing answers. */
    int health(String path) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().contains("\"UP\"") ? 200 : r.statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Waits for readiness; fails with the log when the process exits first or {@link #STARTUP} passes. */
    Duration awaitReady() throws InterruptedException {
        long started = System.nanoTime();
        long deadline = started + STARTUP.toNanos();
        while (health("/actuator/health/readiness") != 200) {
            if (!process.isAlive()) {
                fail("the entrypoint exited " + process.exitValue() + " before it was ready:\n" + output());
            }
            if (System.nanoTime() > deadline) {
                fail("not ready in " + STARTUP + ":\n" + output());
            }
            Thread.sleep(200);
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
