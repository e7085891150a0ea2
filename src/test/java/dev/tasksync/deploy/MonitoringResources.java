package dev.tasksync.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Structural checks of the Prometheus Operator's PodMonitor ({@code monitoring.coreos.com/v1}),
 * which fabric8 8.0 does not model: the fields of the PodMonitor CRD (prometheus-operator v0.8x,
 * example/prometheus-operator-crd/monitoring.coreos.com_podmonitors.yaml) that a scrape
 * configuration like ours can use. An unknown or misspelt field is a problem, as the API server's
 * structural schema would prune or refuse it.
 */
final class MonitoringResources {

    private static final Pattern DURATION = Pattern.compile("(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)");
    private static final Set<String> SPEC = Set.of("selector", "namespaceSelector", "podMetricsEndpoints", "jobLabel",
            "podTargetLabels", "sampleLimit", "targetLimit", "labelLimit", "labelNameLengthLimit", "labelValueLengthLimit",
            "keepDroppedTargets", "attachMetadata", "scrapeProtocols", "scrapeClass", "bodySizeLimit",
            "fallbackScrapeProtocol", "scrapeClassicHistograms", "nativeHistogramBucketLimit", "nativeHistogramMinBucketFactor",
            "convertClassicHistogramsToNHCB");
    private static final Set<String> ENDPOINT = Set.of("port", "portNumber", "targetPort", "path", "scheme", "params", "interval",
            "scrapeTimeout", "honorLabels", "honorTimestamps", "trackTimestampsStaleness", "relabelings", "metricRelabelings",
            "enableHttp2", "filterRunning", "followRedirects", "proxyUrl", "noProxy", "proxyFromEnvironment",
            "proxyConnectHeader", "basicAuth", "oauth2", "authorization", "bearerTokenSecret", "tlsConfig");

    private MonitoringResources() {
    }

    static boolean isMonitoring(JsonNode tree) {
        return tree.path("apiVersion").asString("").startsWith("monitoring.coreos.com/");
    }

    static List<String> check(String where, JsonNode r) {
        List<String> problems = new ArrayList<>();
        String id = where + ": " + r.path("kind").asString("?") + "/" + r.path("metadata").path("name").asString("?") + ": ";
        String type = r.path("apiVersion").asString("") + " " + r.path("kind").asString("");
        if (!type.equals("monitoring.coreos.com/v1 PodMonitor")) {
            problems.add(id + "\"" + type + "\" is not a kind these checks know (monitoring.coreos.com/v1 PodMonitor)");
            return problems;
        }
        unknown(problems, id, r, "", Set.of("apiVersion", "kind", "metadata", "spec"));
        unknown(problems, id, r.path("metadata"), "metadata", Set.of("name", "namespace", "labels", "annotations"));
        JsonNode spec = r.path("spec");
        unknown(problems, id, spec, "spec", SPEC);
        if (!spec.path("selector").isObject()) {
            problems.add(id + "spec.selector: missing (an empty selector would scrape every pod of the namespace)");
        }
        unknown(problems, id, spec.path("selector"), "spec.selector", Set.of("matchLabels", "matchExpressions"));
        if (!spec.path("podMetricsEndpoints").isArray() || spec.path("podMetricsEndpoints").isEmpty()) {
            problems.add(id + "spec.podMetricsEndpoints: missing or empty");
        }
        int i = 0;
        for (JsonNode endpoint : spec.path("podMetricsEndpoints")) {
            String at = "spec.podMetricsEndpoints[" + i++ + "]";
            unknown(problems, id, endpoint, at, ENDPOINT);
            if (!endpoint.path("port").isString() && !endpoint.path("portNumber").isIntegralNumber()) {
                problems.add(id + at + ": needs port (a container port's name) or portNumber");
            }
            for (String d : List.of("interval", "scrapeTimeout")) {
                if (endpoint.has(d) && !(endpoint.get(d).isString() && DURATION.matcher(endpoint.get(d).asString()).matches())) {
                    problems.add(id + at + "." + d + ": \"" + endpoint.get(d).asString() + "\" is not a Prometheus duration");
                }
            }
            if (endpoint.has("path") && !endpoint.get("path").asString("").startsWith("/")) {
                problems.add(id + at + ".path: must start with /");
            }
        }
        return problems;
    }

    private static void unknown(List<String> problems, String id, JsonNode node, String at, Set<String> allowed) {
        if (!node.isObject()) {
            return;
        }
        for (String field : node.propertyNames()) {
            if (!allowed.contains(field)) {
                problems.add(id + (at.isEmpty() ? "" : at + ".") + field + ": unknown field (allowed: " + allowed.stream().sorted().toList() + ")");
            }
        }
    }
}
