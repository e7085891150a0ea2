package dev.tasksync.ops;

import static dev.tasksync.support.Deliveries.taskEvent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.support.Deliveries;
import dev.tasksync.support.ServiceTest;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.WsClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The delivery latency histograms, read the way Prometheus reads them: events published through
 * the Dapr route, received on real WebSockets, then {@code /actuator/prometheus} scraped as admin.
 */
@ServiceTest
class DeliveryLatencyTest {

    private static final String EVENT = "tasksync_delivery_latency_seconds";
    private static final String IN_PROCESS = "tasksync_delivery_inprocess_latency_seconds";

    @LocalServerPort
    int port;
    @Autowired
    WebTestClient http;

    @Test
    void eventTimeLatencyCountsEveryDeliveryFromTheCloudEventTime() {
        String user = "latency-" + UUID.randomUUID();
        try (var a = WsClient.connectAs(port, user); var b = WsClient.connectAs(port, user)) {
            Histogram eventBefore = scrape(EVENT);
            Histogram inProcessBefore = scrape(IN_PROCESS);
            var dapr = new Deliveries(http);
            for (int i = 0; i < 3; i++) {
                String twoSecondsAgo = Instant.now().minusSeconds(2).toString();
                assertThat(dapr.publish(UUID.randomUUID().toString(), Map.of("time", twoSecondsAgo),
                        taskEvent("task.updated", user, Map.of("id", i)))).isEqualTo("SUCCESS");
            }
            for (var ws : new WsClient[] {a, b}) {
                for (int i = 0; i < 3; i++) {
                    assertThat(ws.next().path("type").asString()).isEqualTo("task_update");
                }
            }
            Histogram event = scrape(EVENT).minus(eventBefore);
            Histogram inProcess = scrape(IN_PROCESS).minus(inProcessBefore);

            // 3 events x 2 connections, each at least 2 s after its CloudEvent time.
            assertThat(event.count).isEqualTo(6.0);
            assertThat(event.sum).isGreaterThanOrEqualTo(12.0);
            assertThat(event.bucketsBelow(2.0)).as("buckets under 2 s").allSatisfy((le, n) -> assertThat(n).isZero());
            assertThat(event.buckets.get(Double.POSITIVE_INFINITY)).isEqualTo(6.0);
            assertThat(event.buckets.size()).as("histogram buckets published").isGreaterThan(10);
            // The same deliveries measured inside this process: no producer clock, no 2 s.
            assertThat(inProcess.count).isEqualTo(6.0);
            assertThat(inProcess.sum).isLessThan(6.0);
        }
    }

    @Test
    void withoutACloudEventTimeLatencyStartsAtReceipt() {
        String user = "latency-" + UUID.randomUUID();
        try (var ws = WsClient.connectAs(port, user)) {
            Histogram before = scrape(EVENT);
            var dapr = new Deliveries(http);
            assertThat(dapr.publish(taskEvent("task.created", user, Map.of("id", 1)))).isEqualTo("SUCCESS");
            ws.next();
            Histogram delta = scrape(EVENT).minus(before);
            assertThat(delta.count).isEqualTo(1.0);
            assertThat(delta.sum).isLessThan(2.0);
            assertThat(delta.bucketAtOrAbove(2.0)).isEqualTo(1.0);
        }
    }

    @Test
    void replayedHistoryIsNotALiveDelivery() {
        String user = "latency-" + UUID.randomUUID();
        var dapr = new Deliveries(http);
        String first = UUID.randomUUID().toString();
        assertThat(dapr.publish(first, taskEvent("task.created", user, Map.of("id", 1)))).isEqualTo("SUCCESS");
        assertThat(dapr.publish(taskEvent("task.updated", user, Map.of("id", 1)))).isEqualTo("SUCCESS");
        Histogram before = scrape(EVENT);
        URI resume = URI.create("ws://127.0.0.1:" + port + "/ws?token=" + Tokens.forUser(user) + "&since=" + first);
        try (var ws = WsClient.open(resume, new HttpHeaders())) {
            assertThat(ws.next().path("resumed").asBoolean()).isTrue();
            assertThat(ws.next().path("event").asString()).isEqualTo("task.updated");
        }
        assertThat(scrape(EVENT).minus(before).count).as("replays recorded as live deliveries").isZero();
    }

    private Histogram scrape(String name) {
        byte[] body = http.get().uri("/actuator/prometheus").headers(h -> h.setBearerAuth(Tokens.admin("root")))
                .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody();
        return Histogram.parse(new String(body, StandardCharsets.UTF_8), name);
    }

    /** One Prometheus histogram: cumulative buckets by upper bound, count and sum. */
    private record Histogram(TreeMap<Double, Double> buckets, double count, double sum) {

        static Histogram parse(String exposition, String name) {
            var buckets = new TreeMap<Double, Double>();
            Matcher m = Pattern.compile("(?m)^" + name + "_bucket\\{le=\"([^\"]+)\"} (\\S+)").matcher(exposition);
            while (m.find()) {
                buckets.put(m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1)),
                        Double.parseDouble(m.group(2)));
            }
            assertThat(buckets).as(name + " buckets in the scrape").isNotEmpty();
            return new Histogram(buckets, value(exposition, name + "_count"), value(exposition, name + "_sum"));
        }

        private static double value(String exposition, String series) {
            Matcher m = Pattern.compile("(?m)^" + series + " (\\S+)").matcher(exposition);
            assertThat(m.find()).as(series + " in the scrape").isTrue();
            return Double.parseDouble(m.group(1));
        }

        Histogram minus(Histogram before) {
            var delta = new TreeMap<Double, Double>();
            buckets.forEach((le, n) -> delta.put(le, n - before.buckets.getOrDefault(le, 0.0)));
            return new Histogram(delta, count - before.count, sum - before.sum);
        }

        Map<Double, Double> bucketsBelow(double seconds) {
            return buckets.headMap(seconds, false);
        }

        /** The smallest bucket whose bound is at least {@code seconds}. */
        double bucketAtOrAbove(double seconds) {
            return buckets.ceilingEntry(seconds).getValue();
        }
    }
}
