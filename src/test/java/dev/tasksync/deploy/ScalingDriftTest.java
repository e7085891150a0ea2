package dev.tasksync.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.config.WebSocketProperties;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * The rendered overlays against issue #16's scaling and day-2 points: the HPA owns the replica count
 * and scales on connections, the workload keeps stable pod names (one Kafka consumer group per
 * name), prod talks to Kafka over SASL/TLS only, metrics are scraped from a management port only
 * the monitoring namespace reaches, the Gateway API route is the public entry, and the shutdown,
 * spread and disruption settings are the ones k8s/README.md describes.
 */
class ScalingDriftTest {

    static Stream<Rendered> overlays() {
        return DeploymentDriftTest.overlays();
    }

    private static final String CONNECTIONS_METRIC = "tasksync_connections";

    // ------------------------------------------------------------------ replicas and autoscaling

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void theHpaOwnsTheReplicaCount(Rendered r) {
        HorizontalPodAutoscaler hpa = r.model("HorizontalPodAutoscaler", HorizontalPodAutoscaler.class);
        String target = hpa.getSpec().getScaleTargetRef().getKind() + "/" + hpa.getSpec().getScaleTargetRef().getName();
        for (String kind : List.of("Deployment", "StatefulSet", "ReplicaSet")) {
            for (JsonNode workload : r.ofKind(kind)) {
                String id = kind + "/" + workload.path("metadata").path("name").asString();
                if (id.equals(target)) {
                    assertThat(workload.path("spec").has("replicas")).as(r.where(workload) + ": spec.replicas is set, but "
                            + "HorizontalPodAutoscaler " + hpa.getMetadata().getName() + " owns the count: every kubectl apply "
                            + "would reset it").isFalse();
                }
            }
        }
        assertThat(r.ofKind(hpa.getSpec().getScaleTargetRef().getKind())).as(r + ": the HPA's target " + target + " is rendered")
                .anySatisfy(w -> assertThat(w.path("metadata").path("name").asString()).isEqualTo(hpa.getSpec().getScaleTargetRef().getName()));
        for (var dir = r.dir; dir != null && dir.startsWith(DeployFiles.k8s()); dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("kustomization.yaml"))) {
                assertThat(DeployFiles.single(dir.resolve("kustomization.yaml")).has("replicas"))
                        .as(DeployFiles.rel(dir.resolve("kustomization.yaml")) + ": a replicas: entry would set the count the HPA owns")
                        .isFalse();
            }
        }
        assertThat(DeployFiles.single(DeployFiles.k8s().resolve("base/kustomization.yaml")).has("replicas")).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void theHpaScalesOnConnectionsWithTheAppsCpuOnlyAsBackstop(Rendered r) {
        HorizontalPodAutoscaler hpa = r.model("HorizontalPodAutoscaler", HorizontalPodAutoscaler.class);
        List<MetricSpec> metrics = hpa.getSpec().getMetrics();
        assertThat(metrics).as(r + ": HPA metrics: no whole-pod CPU (daprd's ingest cost is the same on every replica, "
                + "src/docs/scaling.md)").noneSatisfy(m -> assertThat(m.getType()).isEqualTo("Resource"));
        MetricSpec connections = metrics.stream().filter(m -> m.getType().equals("Pods")).findFirst()
                .orElseThrow(() -> new AssertionError(r + ": no Pods metric (connections per pod) in the HPA"));
        assertThat(connections.getPods().getMetric().getName()).as(r + ": the HPA's per-pod metric").isEqualTo(CONNECTIONS_METRIC);
        assertThat(connections.getPods().getTarget().getType()).as(r + ": target type").isEqualTo("AverageValue");
        long perPod = Quantity.getAmountInBytes(connections.getPods().getTarget().getAverageValue()).longValueExact();
        int perUser = Integer.parseInt(AppDefaults.effective(WebSocketProperties.class, "tasksync.ws.max-connections-per-user"));
        assertThat(perPod).as(r + ": connections per pod target").isBetween(1000L, 15000L).isGreaterThan(perUser);
        MetricSpec cpu = metrics.stream().filter(m -> m.getType().equals("ContainerResource")).findFirst()
                .orElseThrow(() -> new AssertionError(r + ": no ContainerResource CPU backstop in the HPA"));
        assertThat(cpu.getContainerResource().getName()).as(r + ": backstop resource").isEqualTo("cpu");
        assertThat(cpu.getContainerResource().getContainer()).as(r + ": backstop container (not daprd)").isEqualTo("tasksync");
        assertThat(cpu.getContainerResource().getTarget().getAverageUtilization()).as(r + ": backstop utilization (%)")
                .isBetween(60, 95);
        assertThat(r.app().getResources().getRequests()).as(r + ": a CPU request, which the backstop's utilization is measured against")
                .containsKey("cpu");

        int cap = replicaCapFromScalingNote();
        assertThat(hpa.getSpec().getMaxReplicas()).as(r + ": maxReplicas vs src/docs/scaling.md's rule of thumb (N <= " + cap + ")")
                .isLessThanOrEqualTo(cap);
        assertThat(hpa.getSpec().getMinReplicas()).as(r + ": minReplicas").isPositive().isLessThanOrEqualTo(hpa.getSpec().getMaxReplicas());
        var scaleDown = hpa.getSpec().getBehavior().getScaleDown();
        assertThat(scaleDown.getStabilizationWindowSeconds()).as(r + ": scale-down window (a removed pod's clients all reconnect)")
                .isGreaterThanOrEqualTo(300);
        assertThat(hpa.getSpec().getBehavior().getScaleUp().getStabilizationWindowSeconds())
                .as(r + ": scale-up window longer than one pod's replacement in a rollout (grace period + start)")
                .isGreaterThan(r.podTemplate().getSpec().getTerminationGracePeriodSeconds().intValue() + 60);
    }

    /** "**N ≤ 8**" in src/docs/scaling.md's short version. */
    static int replicaCapFromScalingNote() {
        try {
            String note = Files.readString(DeployFiles.root().resolve("src/docs/scaling.md"));
            Matcher m = Pattern.compile("N ≤ (\\d+)\\*\\*").matcher(note);
            assertThat(m.find()).as("src/docs/scaling.md states its replica limit as **N ≤ <n>**").isTrue();
            return Integer.parseInt(m.group(1));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The Prometheus Adapter rule k8s/README.md ships must serve exactly the HPA's metric from the scraped series. */
    @Test
    void theReadmesAdapterRuleServesTheHpasMetric() throws IOException {
        String readme = Files.readString(DeployFiles.k8s().resolve("README.md"));
        Matcher block = Pattern.compile("<!-- prometheus-adapter-rule -->\\s*```yaml\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertThat(block.find()).as("k8s/README.md has the adapter rule as a ```yaml block after <!-- prometheus-adapter-rule -->")
                .isTrue();
        JsonNode values = DeployFiles.parse(DeployFiles.k8s().resolve("README.md"), block.group(1)).get(0).tree();
        JsonNode rules = values.path("rules").path("custom");
        assertThat(rules.isArray() && !rules.isEmpty()).as("rules.custom of the adapter's values").isTrue();
        JsonNode rule = rules.get(0);
        assertThat(rule.path("seriesQuery").asString()).as("seriesQuery: the scraped gauge, with the pod's labels")
                .startsWith(CONNECTIONS_METRIC + "{").contains("namespace!=\"\"").contains("pod!=\"\"");
        assertThat(rule.path("resources").path("overrides").path("namespace").path("resource").asString()).isEqualTo("namespace");
        assertThat(rule.path("resources").path("overrides").path("pod").path("resource").asString()).isEqualTo("pod");
        assertThat(rule.path("name").path("as").asString()).as("the name the HPA asks for").isEqualTo(CONNECTIONS_METRIC);
        assertThat(rule.path("metricsQuery").asString()).as("metricsQuery").contains("<<.Series>>").contains("<<.LabelMatchers>>")
                .contains("<<.GroupBy>>");
    }

    // ------------------------------------------------------------------ consumer groups and rollouts

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void podNamesAndSoConsumerGroupsAreStable(Rendered r) {
        var sts = r.statefulSet();
        String group = DeploymentDriftTest.metadataValue(r.dapr("Component", "taskpubsub"), "consumerGroup");
        assertThat(group).as(r + ": consumer group per pod name").isEqualTo("{appID}-{podName}");
        assertThat(sts.getSpec().getPodManagementPolicy()).as(r + ": pods start and stop in parallel on scaling").isEqualTo("Parallel");
        assertThat(sts.getSpec().getUpdateStrategy().getType()).as(r + ": update strategy").isEqualTo("RollingUpdate");
        assertThat(sts.getSpec().getMinReadySeconds()).as(r + ": minReadySeconds covers daprd's group join after the app is ready "
                + "(StatefulSetRolloutTest measures it)").isBetween(5, 60);
        assertThat(sts.getSpec().getTemplate().getSpec().getVolumes()).as(r + ": nothing stateful beyond the name")
                .allSatisfy(v -> assertThat(v.getEmptyDir()).isNotNull());
        assertThat(sts.getSpec().getVolumeClaimTemplates()).as(r + ": no volume claims").isNullOrEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void spreadIsPerRevision(Rendered r) {
        List<TopologySpreadConstraint> constraints = r.podTemplate().getSpec().getTopologySpreadConstraints();
        assertThat(constraints).as(r + ": topology spread").isNotEmpty();
        // A Deployment's pods carry pod-template-hash, a StatefulSet's controller-revision-hash.
        String revisionLabel = "controller-revision-hash";
        for (TopologySpreadConstraint t : constraints) {
            assertThat(t.getMatchLabelKeys()).as(r + ": matchLabelKeys of the " + t.getTopologyKey() + " spread (a rollout "
                    + "spreads the new revision's pods too)").containsExactly(revisionLabel);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void drainsEvictPodsThatAreNotReady(Rendered r) {
        PodDisruptionBudget pdb = r.model("PodDisruptionBudget", PodDisruptionBudget.class);
        assertThat(pdb.getSpec().getUnhealthyPodEvictionPolicy()).as(r + ": PDB unhealthyPodEvictionPolicy (a crash-looping pod "
                + "must not block a node drain)").isEqualTo("AlwaysAllow");
    }

    // ------------------------------------------------------------------ Kafka in production

    @Test
    void prodHasNoPlaintextBroker() {
        Rendered prod = Rendered.of(DeployFiles.k8s().resolve("overlays/prod"));
        for (JsonNode component : prod.ofKind("Component")) {
            if (!component.path("spec").path("type").asString("").equals("pubsub.kafka")) {
                continue;
            }
            String where = prod.where(component);
            String authType = DeploymentDriftTest.metadataValue(component, "authType");
            assertThat(authType).as(where + ": authType").isIn("password", "mtls", "oidc");
            assertThat(DeploymentDriftTest.metadataValue(component, "disableTls")).as(where + ": disableTls (TLS to the brokers)")
                    .isIn(null, "false");
            assertThat(DeploymentDriftTest.metadataValue(component, "skipVerify")).as(where + ": skipVerify").isIn(null, "false");
            List<String> credentials = switch (authType) {
                case "password" -> List.of("saslUsername", "saslPassword");
                case "mtls" -> List.of("clientCert", "clientKey");
                default -> List.of("oidcClientSecret");
            };
            for (JsonNode item : component.path("spec").path("metadata")) {
                String name = item.path("name").asString();
                if (credentials.contains(name) || name.equals("brokers") || name.equals("caCert")) {
                    assertThat(item.has("secretKeyRef")).as(where + ": " + name + " from a Secret, never inline").isTrue();
                }
            }
            if (authType.equals("password")) {
                assertThat(DeploymentDriftTest.metadataValue(component, "saslMechanism")).as(where + ": saslMechanism (SCRAM, "
                        + "not PLAIN)").isIn("SHA-512", "SHA-256");
            }
            assertThat(credentials).as(where + ": credentials present")
                    .allSatisfy(c -> assertThat(DeploymentDriftTest.metadataValue(component, c)).isNotNull());
        }
        assertThat(prod.ofKind("Component")).as("prod renders the Kafka component").isNotEmpty();
    }

    // ------------------------------------------------------------------ metrics and the management port

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void metricsAreScrapedFromPortsOnlyMonitoringReaches(Rendered r) {
        Container app = r.app();
        ContainerPort management = app.getPorts().stream().filter(p -> p.getName().equals("management")).findFirst()
                .orElseThrow(() -> new AssertionError(r + ": no container port named management"));
        EnvVar port = app.getEnv().stream().filter(e -> e.getName().equals("MANAGEMENT_SERVER_PORT")).findFirst()
                .orElseThrow(() -> new AssertionError(r + ": MANAGEMENT_SERVER_PORT (management.server.port) not set"));
        assertThat(port.getValue()).as(r + ": MANAGEMENT_SERVER_PORT vs the management container port")
                .isEqualTo(String.valueOf(management.getContainerPort()));
        assertThat(AppDefaults.fromApplicationYaml("management.endpoints.web.exposure.include").orElse(""))
                .as("application.yaml exposes prometheus").contains("prometheus");

        Map<String, String> a = r.podAnnotations();
        assertThat(a.getOrDefault("dapr.io/enable-metrics", "true")).as(r + ": daprd metrics on").isEqualTo("true");
        int daprMetrics = Integer.parseInt(a.getOrDefault("dapr.io/metrics-port", "9090"));

        JsonNode monitor = r.only("PodMonitor");
        assertThat(DeploymentDriftTest.selects(StrictKubernetesModel.parse(r.where(monitor), monitor.path("spec").path("selector"),
                io.fabric8.kubernetes.api.model.LabelSelector.class), r.podLabels())).as(r + ": PodMonitor selects the pods").isTrue();
        Map<String, JsonNode> endpoints = new java.util.HashMap<>();
        monitor.path("spec").path("podMetricsEndpoints").forEach(e -> endpoints.put(e.path("port").asString(), e));
        assertThat(endpoints).as(r + ": PodMonitor endpoints: the app's management port and daprd's (the injector names it "
                + "dapr-metrics)").containsOnlyKeys("management", "dapr-metrics");
        assertThat(endpoints.get("management").path("path").asString()).as(r + ": app scrape path").isEqualTo("/actuator/prometheus");
        assertThat(endpoints.get("management").has("bearerTokenSecret") || endpoints.get("management").has("authorization"))
                .as(r + ": the scrape needs no token on the management port").isFalse();

        NetworkPolicy policy = r.model("NetworkPolicy", NetworkPolicy.class);
        int appPort = DeploymentDriftTest.appContainerPort(r).getContainerPort();
        for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
            List<Integer> ports = rule.getPorts().stream().map(p -> DeploymentDriftTest.resolve(r, p.getPort())).toList();
            boolean monitoringOnly = !rule.getFrom().isEmpty() && rule.getFrom().stream().allMatch(ScalingDriftTest::isMonitoring);
            if (ports.contains(management.getContainerPort()) || ports.contains(daprMetrics)) {
                assertThat(monitoringOnly).as(r + ": NetworkPolicy rule opening a metrics port (" + ports + ") to " + rule.getFrom()
                        + ": only the monitoring namespace may reach it (the scrape needs no token there)").isTrue();
            }
            assertThat(ports.isEmpty()).as(r + ": a NetworkPolicy ingress rule without ports opens every port").isFalse();
            if (monitoringOnly) {
                assertThat(ports).as(r + ": monitoring reaches the metrics ports, not the app port").doesNotContain(appPort);
            }
        }
        assertThat(policy.getSpec().getIngress()).as(r + ": monitoring reaches both metrics ports").anySatisfy(rule -> {
            assertThat(rule.getFrom()).allMatch(ScalingDriftTest::isMonitoring);
            assertThat(rule.getPorts().stream().map(p -> DeploymentDriftTest.resolve(r, p.getPort())).toList())
                    .contains(management.getContainerPort(), daprMetrics);
        });
    }

    private static boolean isMonitoring(NetworkPolicyPeer peer) {
        return peer.getNamespaceSelector() != null && peer.getNamespaceSelector().getMatchLabels() != null
                && "monitoring".equals(peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name"))
                && peer.getIpBlock() == null;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void daprdIsSizedAndLogsLikeTheApp(Rendered r) {
        Map<String, String> a = r.podAnnotations();
        assertThat(a).as(r + ": sidecar resources").containsKeys("dapr.io/sidecar-cpu-request", "dapr.io/sidecar-memory-request",
                "dapr.io/sidecar-memory-limit");
        long limit = Quantity.getAmountInBytes(new Quantity(a.get("dapr.io/sidecar-memory-limit"))).longValue();
        long request = Quantity.getAmountInBytes(new Quantity(a.get("dapr.io/sidecar-memory-request"))).longValue();
        assertThat(limit).as(r + ": sidecar memory limit >= request").isGreaterThanOrEqualTo(request);
        long goMemLimit = goMemLimitBytes(r);
        assertThat(goMemLimit).as(r + ": GOMEMLIMIT between 80% and 95% of the sidecar's memory limit (" + limit + " bytes)")
                .isBetween(limit * 80 / 100, limit * 95 / 100);
        if (r.name().endsWith("prod")) {
            assertThat(a).as(r + ": daprd logs JSON in production").containsEntry("dapr.io/log-as-json", "true");
            assertThat(r.models("ConfigMap", io.fabric8.kubernetes.api.model.ConfigMap.class)).as(r + ": and so does the app")
                    .anySatisfy(cm -> assertThat(cm.getData()).containsKey("LOGGING_STRUCTURED_FORMAT_CONSOLE"));
        }
    }

    /** GOMEMLIMIT from dapr.io/env ("A=1,GOMEMLIMIT=460MiB"), in bytes. */
    static long goMemLimitBytes(Rendered r) {
        String env = r.podAnnotations().get("dapr.io/env");
        assertThat(env).as(r + ": dapr.io/env (daprd's environment)").isNotNull();
        Matcher m = Pattern.compile("(?:^|,)\\s*GOMEMLIMIT=(\\d+)(B|KiB|MiB|GiB)\\s*(?:,|$)").matcher(env);
        assertThat(m.find()).as(r + ": dapr.io/env sets GOMEMLIMIT with a Go unit (B, KiB, MiB, GiB): " + env).isTrue();
        long unit = switch (m.group(2)) {
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            case "GiB" -> 1L << 30;
            default -> 1L;
        };
        return Long.parseLong(m.group(1)) * unit;
    }

    // ------------------------------------------------------------------ ingress

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void theGatewayApiRouteServesOnlyTheWebSocketAndItsSseFallback(Rendered r) {
        String wsPath = AppDefaults.effective(WebSocketProperties.class, "tasksync.ws.path");
        String ssePath = AppDefaults.effective(dev.tasksync.sse.SseProperties.class, "tasksync.sse.path");
        Duration idle = AppDefaults.duration(AppDefaults.effective(WebSocketProperties.class, "tasksync.ws.idle-timeout"));
        assertThat(r.ofKind("Ingress")).as(r + ": the overlays use the Gateway API (ingress-nginx: k8s/extras)").isEmpty();
        HTTPRoute route = r.model("HTTPRoute", HTTPRoute.class);
        Service service = r.service();
        assertThat(route.getSpec().getParentRefs()).as(r + ": HTTPRoute parentRefs").isNotEmpty();
        assertThat(route.getSpec().getHostnames()).as(r + ": HTTPRoute hostnames").isNotEmpty();
        var paths = new java.util.TreeSet<String>();
        for (HTTPRouteRule rule : route.getSpec().getRules()) {
            assertThat(rule.getMatches()).as(r + ": every rule matches a path (a rule without matches takes everything)").isNotEmpty();
            for (HTTPRouteMatch match : rule.getMatches()) {
                assertThat(match.getPath().getType()).as(r + ": path match type").isEqualTo("Exact");
                paths.add(match.getPath().getValue());
            }
            for (HTTPBackendRef backend : rule.getBackendRefs()) {
                assertThat(backend.getName()).as(r + ": backend").isEqualTo(service.getMetadata().getName());
                assertThat(service.getSpec().getPorts()).as(r + ": backend port " + backend.getPort())
                        .anySatisfy(p -> assertThat(p.getPort()).isEqualTo(backend.getPort()));
            }
            assertThat(rule.getTimeouts()).as(r + ": route timeouts set (the implementation's default request timeout "
                    + "would cut hour-long WebSockets)").isNotNull();
            for (String timeout : new String[] {rule.getTimeouts().getRequest(), rule.getTimeouts().getBackendRequest()}) {
                Duration d = Objects.requireNonNull(timeout, r + ": request and backendRequest timeouts") .equals("0s") ? Duration.ZERO
                        : gatewayDuration(timeout);
                assertThat(d.isZero() || d.toSeconds() >= 3600).as(r + ": timeout " + timeout + ": 0s (off) or >= 1 h, never near "
                        + "the idle timeout " + idle).isTrue();
            }
        }
        assertThat(paths).as(r + ": only the WebSocket endpoint and its SSE fallback are public")
                .containsExactlyInAnyOrder(wsPath, ssePath);
    }

    /** Gateway API durations: "1h", "30m", "10s", "500ms", combined ("1h30m"). */
    static Duration gatewayDuration(String text) {
        Matcher m = Pattern.compile("(\\d+)(h|ms|m|s)").matcher(text);
        Duration d = Duration.ZERO;
        int end = 0;
        while (m.find() && m.start() == end) {
            long n = Long.parseLong(m.group(1));
            d = d.plus(switch (m.group(2)) {
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMillis(n);
            });
            end = m.end();
        }
        assertThat(end).as("Gateway API duration " + text).isEqualTo(text.length());
        return d;
    }

    @Test
    void noOverlayPublishesTheManagementPort() {
        for (Rendered r : overlays().toList()) {
            int management = r.app().getPorts().stream().filter(p -> p.getName().equals("management")).findFirst().orElseThrow()
                    .getContainerPort();
            for (Service service : r.models("Service", Service.class)) {
                assertThat(service.getSpec().getPorts()).as(r + ": Service " + service.getMetadata().getName()
                        + " must not front the management port").noneSatisfy(p -> assertThat(Set.of(
                                String.valueOf(management), "management")).contains(p.getTargetPort().getIntVal() != null
                                        ? String.valueOf(p.getTargetPort().getIntVal()) : p.getTargetPort().getStrVal()));
            }
        }
    }
}
