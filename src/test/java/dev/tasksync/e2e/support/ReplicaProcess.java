package dev.tasksync.e2e.support;

import dev.tasksync.TasksyncApplication;
import dev.tasksync.support.Waits;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real tasksync application in a JVM of its own (this test JVM's class path), so that it can
 * be killed the way a node loses a pod: SIGKILL, no shutdown hook, no goodbye.
 */
public final class ReplicaProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final int port = FreePorts.next();
    private final Process process;
    private final Path logFile;

    private ReplicaProcess(String name, String secret, List<String> args) {
        logFile = ProjectPaths.logDir().resolve("replica-" + name + ".log");
        List<String> command = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                TasksyncApplication.class.getName(),
                "--tasksync.auth.secret=" + secret, "--server.address=127.0.0.1", "--server.port=" + port));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile()));
        builder.environment().keySet().removeIf(key -> key.startsWith("DAPR_"));
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("could not start " + command, e);
        }
        ProcessCleanup.register(process);
    }

    /** Starts the app with {@code --key=value} arguments and waits until it is ready. */
    public static ReplicaProcess start(String name, String secret, Duration timeout, String... args) {
        var replica = new ReplicaProcess(name, secret, List.of(args));
        replica.awaitReady(timeout);
        return replica;
    }

    public int port() {
        return port;
    }

    private void awaitReady(Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("replica exited with " + process.exitValue() + "; see " + logFile);
            }
            try {
                if (HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            Waits.sleep(200);
        }
        throw new IllegalStateException("replica not ready after " + timeout + "; see " + logFile);
    }

    /** SIGKILL: the JVM dies at once, without shutdown hooks. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    kill();
                }
            } catch (InterruptedException e) {
                kill();
                Thread.currentThread().interrupt();
            }
        }
    }
}
