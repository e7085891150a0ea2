package dev.tasksync.e2e.support;

import dev.tasksync.support.Waits;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.dapr.client.DaprClient;
import io.dapr.client.DaprClientBuilder;
import io.dapr.config.Properties;

/**
 * A real daprd sidecar as a child process, on free loopback ports, loading the real
 * components/ directory; only environment variables (KAFKA_BROKERS, POD_NAME, ...) differ
 * from a deployment. Placement and scheduler stay off: the app uses neither actors nor jobs.
 */
public final class Daprd implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Set<String> LOG_NAMES = new HashSet<>();

    private final Builder spec;
    private final int httpPort = FreePorts.next();
    private final int grpcPort;
    private final int internalGrpcPort = FreePorts.next();
    private final int metricsPort = FreePorts.next();
    private final Path logFile;
    private Process process;

    private Daprd(Builder spec) {
        this.spec = spec;
        this.grpcPort = spec.grpcPort > 0 ? spec.grpcPort : FreePorts.next();
        this.logFile = uniqueLogFile("daprd-" + spec.appId + "-" + spec.env.get("POD_NAME"));
    }

    /** One log per sidecar instance in this JVM (restarts append); files of earlier runs are overwritten. */
    private static synchronized Path uniqueLogFile(String base) {
        String name = base;
        for (int n = 2; !LOG_NAMES.add(name); n++) {
            name = base + "-" + n;
        }
        Path file = ProjectPaths.logDir().resolve(name + ".log");
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Starts configuring a sidecar for {@code appId}; finish with {@link Builder#start()}. One builder per sidecar. */
    public static Builder builder(String appId) {
        return new Builder(appId);
    }

    public String appId() {
        return spec.appId;
    }

    public int httpPort() {
        return httpPort;
    }

    public int grpcPort() {
        return grpcPort;
    }

    public String httpEndpoint() {
        return "http://127.0.0.1:" + httpPort;
    }

    public String grpcEndpoint() {
        return "http://127.0.0.1:" + grpcPort;
    }

    public Path logFile() {
        return logFile;
    }

    /** SIGQUIT: Go prints every goroutine's stack to the log and exits; for diagnosing a stuck sidecar. */
    public void dumpGoroutines() {
        if (process == null || !process.isAlive()) {
            return;
        }
        try {
            new ProcessBuilder("kill", "-QUIT", String.valueOf(process.pid())).start().waitFor(5, TimeUnit.SECONDS);
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /**
     * Waits for {@code /v1.0/healthz} = 204: components loaded and, with an app port, the app
     * reachable and its subscriptions started.
     */
    public Daprd awaitHealthy(Duration timeout) {
        awaitEndpoint("/v1.0/healthz", timeout);
        return this;
    }

    /** Waits until daprd's log contains {@code text} (e.g. an app health transition). */
    public void awaitLog(String text, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (readLog().contains(text)) {
                return;
            }
            Waits.sleep(100);
        }
        throw new IllegalStateException("daprd " + spec.appId + " never logged '" + text + "'; see " + logFile);
    }

    /** Whether daprd's latest app-health transition says the app is down. */
    public boolean appReportedUnhealthy() {
        String log = readLog();
        return log.lastIndexOf("App entered un-healthy status") > log.lastIndexOf("App entered healthy status");
    }

    private String readLog() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Occurrences of {@code text} in daprd's log so far. */
    public int countLog(String text) {
        String log = readLog();
        int n = 0;
        for (int i = log.indexOf(text); i >= 0; i = log.indexOf(text, i + text.length())) {
            n++;
        }
        return n;
    }

    /** Dapr SDK client against this sidecar, e.g. to publish as the task-backend would. */
    public DaprClient newClient() {
        DaprClientBuilder builder = new DaprClientBuilder()
                .withPropertyOverride(Properties.HTTP_ENDPOINT, httpEndpoint())
                .withPropertyOverride(Properties.GRPC_ENDPOINT, grpcEndpoint());
        if (spec.daprApiToken != null) {
            builder.withPropertyOverride(Properties.API_TOKEN, spec.daprApiToken);
        }
        return builder.build();
    }

    /** Publishes through the sidecar's HTTP API (POST /v1.0/publish/{pubsub}/{topic}); expects 204. */
    public void publish(String pubsub, String topic, byte[] data, String contentType) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(httpEndpoint() + "/v1.0/publish/" + pubsub + "/" + topic))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(data));
        if (spec.daprApiToken != null) {
            request.header("dapr-api-token", spec.daprApiToken);
        }
        HttpResponse<String> response = send(request.build());
        if (response.statusCode() != 204) {
            throw new IllegalStateException("publish to " + pubsub + "/" + topic + " failed: HTTP "
                    + response.statusCode() + " " + response.body());
        }
    }

    /** GET /v1.0/metadata as JSON: loaded components, the app's subscriptions, runtime version. */
    public String metadata() {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(httpEndpoint() + "/v1.0/metadata"))
                .timeout(Duration.ofSeconds(5))
                .GET();
        if (spec.daprApiToken != null) {
            request.header("dapr-api-token", spec.daprApiToken);
        }
        HttpResponse<String> response = send(request.build());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("metadata of " + spec.appId + ": HTTP " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    /** Stops (if running) and starts again with the same ports, app id and POD_NAME, so the same consumer group. */
    public Daprd restart() {
        stop();
        launch();
        return this;
    }

    /** SIGTERM, then waits for daprd's graceful shutdown; SIGKILL if it hangs. */
    public void stop() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void launch() {
        List<String> command = new ArrayList<>(List.of(
                DaprdBinary.path().toString(),
                "--mode", "standalone",
                "--app-id", spec.appId,
                "--dapr-http-port", String.valueOf(httpPort),
                "--dapr-grpc-port", String.valueOf(grpcPort),
                "--dapr-internal-grpc-port", String.valueOf(internalGrpcPort),
                "--dapr-listen-addresses", "127.0.0.1",
                "--dapr-internal-grpc-listen-address", "127.0.0.1",
                "--metrics-port", String.valueOf(metricsPort),
                "--metrics-listen-address", "127.0.0.1",
                "--resources-path", spec.resourcesPath.toString(),
                "--config", spec.config.toString(),
                "--log-level", spec.logLevel));
        if (spec.appPort > 0) {
            command.addAll(List.of("--app-port", String.valueOf(spec.appPort), "--app-protocol", "http",
                    "--app-channel-address", "127.0.0.1"));
        }
        if (spec.appHealthPath != null) {
            // Same settings as the Kubernetes annotations: an unready app stops consumption, so
            // nothing is delivered to (and dead-lettered by) an app that is down.
            command.addAll(List.of("--enable-app-health-check", "--app-health-check-path", spec.appHealthPath,
                    "--app-health-probe-interval", "2", "--app-health-probe-timeout", "1500",
                    "--app-health-threshold", "2"));
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(ProjectPaths.root().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        Map<String, String> env = builder.environment();
        // Inherited DAPR_* variables could point daprd at a scheduler/placement or demand a token.
        env.keySet().removeIf(key -> key.startsWith("DAPR_") || key.equals("APP_API_TOKEN"));
        env.putAll(spec.env);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("could not start daprd " + command, e);
        }
        ProcessCleanup.register(process);
        awaitEndpoint("/v1.0/healthz/outbound", spec.startupTimeout);
    }

    private void awaitEndpoint(String path, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(httpEndpoint() + path)).timeout(Duration.ofSeconds(2)).GET().build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("daprd " + spec.appId + " exited with " + process.exitValue() + "; see " + logFile);
            }
            try {
                HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 204) {
                    return;
                }
                last = response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            Waits.sleep(200);
        }
        throw new IllegalStateException("daprd " + spec.appId + " " + path + " not ready after " + timeout + " (last: " + last + "); see " + logFile);
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }


    /** Options of one sidecar. */
    public static final class Builder {

        private final String appId;
        private final Map<String, String> env = new LinkedHashMap<>();
        private int appPort;
        private int grpcPort;
        private Path resourcesPath = ProjectPaths.components();
        private Path config = ProjectPaths.daprConfig();
        private String logLevel = "info";
        private String daprApiToken;
        private String appHealthPath;
        private Duration startupTimeout = Duration.ofSeconds(60);

        private Builder(String appId) {
            this.appId = appId;
            // components/ derives the consumer group from {podName}, which daprd reads from POD_NAME.
            env.put("POD_NAME", "local-0");
        }

        /** Port of the app behind this sidecar; leave unset for a publisher-only sidecar. */
        public Builder appPort(int port) {
            this.appPort = port;
            return this;
        }

        /** A gRPC port chosen beforehand, e.g. one the app was started with to publish through this sidecar. */
        public Builder grpcPort(int port) {
            this.grpcPort = port;
            return this;
        }

        /** Probes the app at {@code path}; while it fails, daprd pauses the app's subscriptions. */
        public Builder appHealthCheck(String path) {
            this.appHealthPath = path;
            return this;
        }

        /** KAFKA_BROKERS for components/pubsub.yaml. */
        public Builder kafka(String bootstrapServers) {
            return env("KAFKA_BROKERS", bootstrapServers);
        }

        /** Replica name: one consumer group per POD_NAME, stable across restarts. */
        public Builder podName(String podName) {
            return env("POD_NAME", podName);
        }

        /** Token daprd sends to the app in the dapr-api-token header (APP_API_TOKEN). */
        public Builder appApiToken(String token) {
            return env("APP_API_TOKEN", token);
        }

        /** Token daprd requires on its own API (DAPR_API_TOKEN); clients from this harness send it. */
        public Builder daprApiToken(String token) {
            this.daprApiToken = token;
            return env("DAPR_API_TOKEN", token);
        }

        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        public Builder resourcesPath(Path path) {
            this.resourcesPath = path;
            return this;
        }

        public Builder config(Path path) {
            this.config = path;
            return this;
        }

        public Builder logLevel(String level) {
            this.logLevel = level;
            return this;
        }

        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = timeout;
            return this;
        }

        /** Launches daprd and waits until its outbound side (components, API) is ready. */
        public Daprd start() {
            Daprd daprd = new Daprd(this);
            try {
                daprd.launch();
            } catch (RuntimeException e) {
                daprd.stop();
                throw e;
            }
            return daprd;
        }
    }
}
