package dev.tasksync.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.e2e.support.FreePorts;
import dev.tasksync.support.TasksyncInstance;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.WsClient;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * The metric each overlay's HPA scales on exists in what the running application serves where the
 * PodMonitor scrapes it: the real app, started with the management port the StatefulSet sets, holds
 * WebSocket connections, and its {@code /actuator/prometheus} (no token, management port) must carry
 * the HPA's metric as a gauge that counts them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScalerMetricTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private TasksyncInstance app;
    private int managementPort;

    @BeforeAll
    void start() {
        managementPort = FreePorts.next();
        app = TasksyncInstance.start(Tokens.SECRET, "--management.server.port=" + managementPort,
                "--management.server.address=127.0.0.1");
    }

    @AfterAll
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    static Stream<Rendered> overlays() {
        return DeploymentDriftTest.overlays();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void theHpasMetricIsInTheScrapeAndCountsConnections(Rendered r) throws Exception {
        HorizontalPodAutoscaler hpa = r.model("HorizontalPodAutoscaler", HorizontalPodAutoscaler.class);
        List<String> names = hpa.getSpec().getMetrics().stream().filter(m -> m.getType().equals("Pods"))
                .map(m -> m.getPods().getMetric().getName()).toList();
        assertThat(names).as(r + ": the HPA's per-pod metrics").isNotEmpty();
        String path = scrapePath(r);
        String user = "scaled-" + System.nanoTime();
        try (var a = WsClient.connectAs(app.port(), user); var b = WsClient.connectAs(app.port(), user);
                var c = WsClient.connectAs(app.port(), user + "-other")) {
            HttpResponse<String> scrape = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(scrape.statusCode()).as(r + ": GET " + path + " on the management port, no token").isEqualTo(200);
            for (String name : names) {
                assertThat(scrape.body()).as(r + ": the scrape declares " + name + " a gauge")
                        .contains("# TYPE " + name + " gauge");
                Matcher sample = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? ([0-9.eE+-]+)$").matcher(scrape.body());
                double total = 0;
                while (sample.find()) {
                    total += Double.parseDouble(sample.group(2));
                }
                assertThat(total).as(r + ": " + name + " in the scrape counts the 3 open WebSockets").isEqualTo(3.0);
            }
        }
    }

    /** The PodMonitor's path for the app's container port (the management port). */
    private static String scrapePath(Rendered r) {
        for (JsonNode endpoint : r.only("PodMonitor").path("spec").path("podMetricsEndpoints")) {
            if (endpoint.path("port").asString().equals("management")) {
                return endpoint.path("path").asString("/metrics");
            }
        }
        throw new AssertionError(r + ": the PodMonitor does not scrape the management port");
    }
}
