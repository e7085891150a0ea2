package dev.tasksync.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests, limits, the JVM's heap share and daprd's GOMEMLIMIT against the numbers measured under
 * the benchmark load and recorded in src/docs/BENCHMARKS.md ("Pod sizing", written from
 * {@code bench.py --only podsize}): every overlay must leave the stated headroom over them, and not
 * reserve absurdly more. The measurement must have run with the JVM flags and memory limit the base
 * manifests ship, so changing those without measuring again fails here.
 */
class PodSizingTest {

    /** Headroom over a measured peak that a request or limit must leave (GC, bursts, reconnect waves). */
    private static final double HEADROOM = 1.25;
    /** More than this times the measured peak is not "from measurements" any more. */
    private static final double AT_MOST = 4.0;

    static Stream<Rendered> overlays() {
        return DeploymentDriftTest.overlays();
    }

    /** The "Pod sizing" table of BENCHMARKS.md: label -> value cell. */
    static Map<String, String> measured() {
        try {
            String doc = Files.readString(DeployFiles.root().resolve("src/docs/BENCHMARKS.md"));
            int at = doc.indexOf("<!-- pod-sizing -->");
            assertThat(at).as("src/docs/BENCHMARKS.md has the pod sizing table after <!-- pod-sizing -->").isNotNegative();
            Map<String, String> rows = new LinkedHashMap<>();
            List<String> lines = doc.substring(at).lines().skip(1).dropWhile(String::isBlank)
                    .takeWhile(l -> l.startsWith("|")).skip(2).toList();
            for (String line : lines) {
                String[] cells = line.split("\\|");
                rows.put(cells[1].trim(), cells[2].trim());
            }
            return rows;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static double mib(Map<String, String> measured, String label) {
        String cell = measured.get(label);
        assertThat(cell).as("BENCHMARKS.md pod sizing row \"" + label + "\" (have: " + measured.keySet() + ")").isNotNull();
        Matcher m = Pattern.compile("([0-9][0-9,.]*) MiB").matcher(cell);
        assertThat(m.find()).as("\"" + label + "\": " + cell + " in MiB").isTrue();
        return Double.parseDouble(m.group(1).replace(",", ""));
    }

    private static double mib(Quantity q) {
        return Quantity.getAmountInBytes(q).doubleValue() / (1 << 20);
    }

    private static String javaToolOptions(Rendered r) {
        return r.app().getEnv().stream().filter(e -> e.getName().equals("JAVA_TOOL_OPTIONS")).map(EnvVar::getValue).findFirst()
                .orElseThrow();
    }

    private static int flag(String options, String name) {
        Matcher m = Pattern.compile("-XX:" + name + "=(\\d+)").matcher(options);
        assertThat(m.find()).as("-XX:" + name + " in " + options).isTrue();
        return Integer.parseInt(m.group(1));
    }

    @Test
    void theMeasurementRanWithTheShippedJvmFlagsAndLimit() {
        Rendered base = Rendered.of(DeployFiles.k8s().resolve("base"));
        Map<String, String> measured = measured();
        String flags = measured.get("tasksync JVM flags");
        assertThat(flags).as("BENCHMARKS.md pod sizing row \"tasksync JVM flags\"").isNotNull();
        List<String> used = Arrays.stream(flags.replace("`", "").trim().split("\\s+")).toList();
        List<String> shipped = Arrays.stream(javaToolOptions(base).trim().split("\\s+")).toList();
        assertThat(used.stream().filter(f -> !f.startsWith("-XX:MaxRAM=") && !f.startsWith("-XX:NativeMemoryTracking")).toList())
                .as("the flags measured vs k8s/base/statefulset.yaml JAVA_TOOL_OPTIONS: measure again after changing them "
                        + "(src/test/bench/bench.py --only podsize)").isEqualTo(shipped);
        long limitMib = Math.round(mib(base.app().getResources().getLimits().get("memory")));
        assertThat(used).as("the measurement stood in for the base's memory limit with -XX:MaxRAM").contains("-XX:MaxRAM=" + limitMib + "m");
        HorizontalPodAutoscaler hpa = base.model("HorizontalPodAutoscaler", HorizontalPodAutoscaler.class);
        long target = Quantity.getAmountInBytes(hpa.getSpec().getMetrics().stream().filter(m -> m.getType().equals("Pods"))
                .findFirst().orElseThrow().getPods().getTarget().getAverageValue()).longValueExact();
        assertThat(Long.parseLong(measured.get("connections held").replace(",", "")))
                .as("connections held while measuring vs the HPA's per-pod target").isGreaterThanOrEqualTo(target);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void theJvmFitsItsLimitWithTheMeasuredHeadroom(Rendered r) {
        Map<String, String> measured = measured();
        Container app = r.app();
        double limit = mib(app.getResources().getLimits().get("memory"));
        double rssPeak = mib(measured, "tasksync RSS peak");
        double nonHeap = mib(measured, "tasksync RSS outside the Java heap");
        int heapShare = flag(javaToolOptions(r), "MaxRAMPercentage");
        assertThat(limit).as(r + ": tasksync memory limit (MiB) vs " + HEADROOM + " x the measured RSS peak " + rssPeak)
                .isGreaterThanOrEqualTo(HEADROOM * rssPeak).isLessThanOrEqualTo(AT_MOST * rssPeak);
        assertThat(limit * (100 - heapShare) / 100).as(r + ": what the heap share (" + heapShare + "%) leaves outside the heap "
                + "(MiB) vs " + HEADROOM + " x the measured " + nonHeap).isGreaterThanOrEqualTo(HEADROOM * nonHeap);
        double heapUsed = mib(measured, "tasksync Java heap used after the drain");
        assertThat(limit * heapShare / 100).as(r + ": the maximum heap (MiB) vs 2 x the measured heap in use " + heapUsed
                + " (G1 needs free regions to collect without stalls)").isGreaterThanOrEqualTo(2 * heapUsed);
        int cpus = flag(javaToolOptions(r), "ActiveProcessorCount");
        double request = Quantity.getAmountInBytes(app.getResources().getRequests().get("cpu")).doubleValue();
        assertThat((double) cpus).as(r + ": -XX:ActiveProcessorCount vs the CPU request " + request).isGreaterThanOrEqualTo(Math.ceil(request));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void daprdFitsItsLimitWithTheMeasuredHeadroom(Rendered r) {
        Map<String, String> measured = measured();
        Map<String, String> a = r.podAnnotations();
        double peak = mib(measured, "daprd RSS peak");
        double request = mib(new Quantity(a.get("dapr.io/sidecar-memory-request")));
        double limit = mib(new Quantity(a.get("dapr.io/sidecar-memory-limit")));
        double goMemLimit = ScalingDriftTest.goMemLimitBytes(r) / (double) (1 << 20);
        assertThat(request).as(r + ": daprd memory request (MiB) vs the measured peak " + peak)
                .isGreaterThanOrEqualTo(HEADROOM * peak).isLessThanOrEqualTo(AT_MOST * peak);
        assertThat(goMemLimit).as(r + ": GOMEMLIMIT (MiB): the Go GC works harder only above twice the measured peak " + peak)
                .isGreaterThanOrEqualTo(2 * peak);
        assertThat(limit).as(r + ": daprd memory limit (MiB) >= request").isGreaterThanOrEqualTo(request);
        assertThat(a).as(r + ": no CPU limit on daprd (a throttled sidecar delays every delivery)").doesNotContainKey("dapr.io/sidecar-cpu-limit");
    }
}
