package dev.tasksync.support;

import dev.tasksync.e2e.support.ProcessCleanup;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A main class of this project's test classpath run in a JVM of its own (a separate process, as a
 * pod or another machine would be): its CPU, JIT and heap are not the test's. Output goes to a log
 * file under {@code target/processes}; lines can also be awaited. Stopped with SIGTERM, then killed.
 */
public final class JavaProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private JavaProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code main} with the test classpath, {@code jvmArgs} and {@code args}. */
    public static JavaProcess start(String name, List<String> jvmArgs, Class<?> main, List<String> args) {
        return start(name, List.of(), jvmArgs, main, args);
    }

    /**
     * As {@link #start(String, List, Class, List)}, the JVM run by {@code launcher} (e.g. {@code nice -n 19}:
     * a process that stands for another machine then takes CPU only when this one's processes leave it idle).
     */
    public static JavaProcess start(String name, List<String> launcher, List<String> jvmArgs, Class<?> main, List<String> args) {
        List<String> command = new ArrayList<>(launcher);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(args);
        try {
            Path dir = Files.createDirectories(Path.of("target", "processes"));
            Path log = dir.resolve(name + ".log");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            ProcessCleanup.register(p);
            var started = new JavaProcess(name, p, log);
            started.pump();
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void pump() throws IOException {
        var out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true);
        Thread t = new Thread(() -> {
            try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)); out) {
                for (String line; (line = in.readLine()) != null; ) {
                    out.println(line);
                    lines.add(line);
                }
            } catch (IOException ended) {
                // the process is gone
            }
        }, name + "-output");
        t.setDaemon(true);
        t.start();
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The first line of output (from now on) that matches; fails after {@code timeout} or if the process ends. */
    public String awaitLine(Predicate<String> matching, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line != null && matching.test(line)) {
                    return line;
                }
                if (line == null && !process.isAlive() && lines.isEmpty()) {
                    throw new AssertionError(name + " ended (exit " + process.exitValue() + "), see " + log.toAbsolutePath());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        throw new AssertionError(name + ": no matching output within " + timeout + ", see " + log.toAbsolutePath());
    }

    /** Closes the process's standard input (processes that read it take that as "stop"). */
    public void closeInput() {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // gone already
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
