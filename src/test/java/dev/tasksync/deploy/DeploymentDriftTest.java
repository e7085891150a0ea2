package dev.tasksync.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.config.AuthProperties;
import dev.tasksync.config.DaprProperties;
import dev.tasksync.config.DevProperties;
import dev.tasksync.config.HistoryProperties;
import dev.tasksync.config.WebSocketProperties;
import io.dapr.Topic;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.lang.reflect.Method;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Cross-file agreement: the rendered overlays (k8s/overlays/*), components/, dapr.yaml, the
 * application's defaults (application.yaml and the {@code @DefaultValue}s of its properties
 * records) and k8s/README.md must tell the same story. Each failure names both sides.
 */
class DeploymentDriftTest {

    private static final String APP_ID = "tasksync";

    /** Every annotation the Dapr 1.16 sidecar injector reads (pkg/injector/annotations); others are silently ignored. */
    private static final Set<String> DAPR_ANNOTATIONS = Set.of(
            "dapr.io/api-token-secret", "dapr.io/app-channel-address", "dapr.io/app-health-check-path",
            "dapr.io/app-health-probe-interval", "dapr.io/app-health-probe-timeout", "dapr.io/app-health-threshold",
            "dapr.io/app-id", "dapr.io/app-max-concurrency", "dapr.io/app-port",
            "dapr.io/app-protocol", "dapr.io/app-ssl", "dapr.io/app-token-secret",
            "dapr.io/block-shutdown-duration", "dapr.io/component-container", "dapr.io/config",
            "dapr.io/debug-port", "dapr.io/disable-builtin-k8s-secret-store", "dapr.io/enable-api-logging",
            "dapr.io/enable-app-health-check", "dapr.io/enable-debug", "dapr.io/enable-metrics",
            "dapr.io/enable-profiling", "dapr.io/enabled", "dapr.io/env",
            "dapr.io/env-from-secret", "dapr.io/graceful-shutdown-seconds", "dapr.io/grpc-port",
            "dapr.io/http-max-request-size", "dapr.io/http-read-buffer-size", "dapr.io/inject-pluggable-components",
            "dapr.io/internal-grpc-port", "dapr.io/log-as-json", "dapr.io/log-level",
            "dapr.io/max-body-size", "dapr.io/metrics-port", "dapr.io/placement-host-address",
            "dapr.io/pluggable-components", "dapr.io/pluggable-components-sockets-folder", "dapr.io/read-buffer-size",
            "dapr.io/scheduler-host-address", "dapr.io/sentry-request-jwt-audiences", "dapr.io/sidecar-cpu-limit",
            "dapr.io/sidecar-cpu-request", "dapr.io/sidecar-image", "dapr.io/sidecar-listen-addresses",
            "dapr.io/sidecar-liveness-probe-delay-seconds", "dapr.io/sidecar-liveness-probe-period-seconds", "dapr.io/sidecar-liveness-probe-threshold",
            "dapr.io/sidecar-liveness-probe-timeout-seconds", "dapr.io/sidecar-memory-limit", "dapr.io/sidecar-memory-request",
            "dapr.io/sidecar-readiness-probe-delay-seconds", "dapr.io/sidecar-readiness-probe-period-seconds", "dapr.io/sidecar-readiness-probe-threshold",
            "dapr.io/sidecar-readiness-probe-timeout-seconds", "dapr.io/sidecar-seccomp-profile-type", "dapr.io/unix-domain-socket-path",
            "dapr.io/volume-mounts", "dapr.io/volume-mounts-rw");

    static Stream<Rendered> overlays() {
        return Rendered.overlays().stream().map(Rendered::of);
    }

    private static JsonNode runFileApp() {
        JsonNode apps = DeployFiles.single(DeployFiles.daprRunFile()).path("apps");
        for (JsonNode app : apps) {
            if (app.path("appID").asString("").equals(APP_ID)) {
                return app;
            }
        }
        throw new AssertionError("dapr.yaml has no app with appID " + APP_ID);
    }

    private static JsonNode localComponent(String kind, String name) {
        try (Stream<Path> files = Files.list(DeployFiles.components())) {
            return files.filter(f -> f.toString().endsWith(".yaml"))
                    .flatMap(f -> DeployFiles.read(f).stream())
                    .map(DeployFiles.Doc::tree)
                    .filter(t -> t.path("kind").asString("").equals(kind) && t.path("metadata").path("name").asString("").equals(name))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("components/ has no " + kind + " named " + name));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String daprDefault(String property) {
        return AppDefaults.effective(DaprProperties.class, "tasksync.dapr." + property);
    }

    private static Map<String, String> metadataItems(JsonNode component) {
        Map<String, String> items = new LinkedHashMap<>();
        for (JsonNode item : component.path("spec").path("metadata")) {
            String value = item.has("value") ? item.get("value").asString()
                    : item.has("secretKeyRef") ? "secretKeyRef:" + item.get("secretKeyRef").path("name").asString() + "/"
                            + item.get("secretKeyRef").path("key").asString()
                    : "envRef:" + item.path("envRef").asString();
            items.put(item.path("name").asString(), value);
        }
        return items;
    }

    /** A Dapr component's metadata item: its value, "secretKeyRef:name/key", "envRef:VAR", or null when absent. */
    static String metadataValue(JsonNode component, String name) {
        return metadataItems(component).get(name);
    }

    private static List<String> strings(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(v -> out.add(v.asString()));
        return out;
    }

    private static int serverPortDefault() {
        return Integer.parseInt(AppDefaults.fromApplicationYaml("server.port").orElse("8080"));
    }

    /** The port clients and daprd use: named "http" (the other one, "management", serves Actuator). */
    static ContainerPort appContainerPort(Rendered r) {
        List<ContainerPort> ports = r.app().getPorts();
        assertThat(ports).as(r + ": tasksync container ports").extracting(ContainerPort::getName).containsExactlyInAnyOrder("http",
                "management");
        return ports.stream().filter(p -> p.getName().equals("http")).findFirst().orElseThrow();
    }

    /** A port given as number or as the name of one of the container's ports. */
    static int resolve(Rendered r, IntOrString port) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return r.app().getPorts().stream().filter(p -> port.getStrVal().equals(p.getName())).findFirst()
                .map(ContainerPort::getContainerPort)
                .orElseThrow(() -> new AssertionError(r + ": port name \"" + port.getStrVal()
                        + "\" is not a port of the tasksync container"));
    }

    static boolean selects(LabelSelector selector, Map<String, String> labels) {
        return selector != null && selector.getMatchExpressions().isEmpty() && selector.getMatchLabels() != null
                && !selector.getMatchLabels().isEmpty() && labels.entrySet().containsAll(selector.getMatchLabels().entrySet());
    }

    // ------------------------------------------------------------------ Dapr identity and ports

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void daprAnnotationsAreComplete(Rendered r) {
        Map<String, String> a = r.podAnnotations();
        assertThat(a).as(r + ": Dapr annotations of the pod template")
                .containsEntry("dapr.io/enabled", "true")
                .containsEntry("dapr.io/app-id", APP_ID)
                .containsEntry("dapr.io/app-protocol", "http")
                .containsEntry("dapr.io/enable-app-health-check", "true")
                .containsKeys("dapr.io/app-port", "dapr.io/app-health-check-path", "dapr.io/app-health-probe-interval",
                        "dapr.io/app-health-probe-timeout", "dapr.io/app-health-threshold", "dapr.io/log-level",
                        "dapr.io/config", "dapr.io/graceful-shutdown-seconds", "dapr.io/app-token-secret");
        assertThat(a.get("dapr.io/log-level")).as(r + ": dapr.io/log-level").isIn("debug", "info", "warn", "error");
        for (String number : List.of("dapr.io/app-port", "dapr.io/app-health-probe-interval", "dapr.io/app-health-probe-timeout",
                "dapr.io/app-health-threshold", "dapr.io/graceful-shutdown-seconds")) {
            assertThat(a.get(number)).as(r + ": " + number + " must be a whole number").matches("\\d+");
        }
        assertThat(a.keySet().stream().filter(k -> k.startsWith("dapr.io/")).filter(k -> !DAPR_ANNOTATIONS.contains(k)).toList())
                .as(r + ": dapr.io/ annotations the sidecar injector does not know (typo? it ignores them silently)").isEmpty();
        String config = a.get("dapr.io/config");
        assertThat(r.ofKind("Configuration")).as(r + ": dapr.io/config names Dapr Configuration \"" + config + "\", which must be rendered too")
                .anySatisfy(c -> assertThat(c.path("metadata").path("name").asString()).isEqualTo(config));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void appIdIsTheSameEverywhere(Rendered r) {
        String annotation = r.podAnnotations().get("dapr.io/app-id");
        assertThat(runFileApp().path("appID").asString()).as("dapr.yaml appID vs " + r + " dapr.io/app-id").isEqualTo(annotation);
        String pubsub = daprDefault("pubsub-name");
        assertThat(strings(r.dapr("Component", pubsub).path("scopes")))
                .as(r + ": scopes of Component " + pubsub + " must include the app id " + annotation).contains(annotation);
        assertThat(strings(localComponent("Component", pubsub).path("scopes")))
                .as("components/: scopes of Component " + pubsub + " must include the app id " + annotation).contains(annotation);
        for (JsonNode resiliency : r.ofKind("Resiliency")) {
            assertThat(strings(resiliency.path("scopes"))).as(r.where(resiliency) + " scopes").contains(annotation);
        }
        assertThat(strings(localComponent("Resiliency", "tasksync-delivery").path("scopes")))
                .as("components/resiliency.yaml scopes").contains(annotation);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void appPortIsTheSameEverywhere(Rendered r) {
        int appPort = serverPortDefault();
        assertThat(appPort).as("application.yaml server.port default (${PORT:...})").isEqualTo(8005);
        assertThat(AppDefaults.placeholderVariable("server.port")).as("server.port reads PORT").contains("PORT");
        assertThat(r.app().getEnv()).as(r + ": nothing may override PORT in the pod")
                .noneSatisfy(e -> assertThat(e.getName()).isEqualTo("PORT"));
        assertThat(r.podAnnotations().get("dapr.io/app-port")).as(r + ": dapr.io/app-port vs server.port")
                .isEqualTo(String.valueOf(appPort));
        assertThat(appContainerPort(r).getContainerPort()).as(r + ": containerPort vs server.port").isEqualTo(appPort);
        assertThat(runFileApp().path("appPort").asInt()).as("dapr.yaml appPort vs server.port").isEqualTo(appPort);

        for (Service service : r.models("Service", Service.class)) {
            assertThat(service.getSpec().getPorts()).as(r + ": Service ports").isNotEmpty();
            for (ServicePort port : service.getSpec().getPorts()) {
                assertThat(resolve(r, port.getTargetPort())).as(r + ": Service " + service.getMetadata().getName() + " targetPort "
                        + port.getTargetPort() + " vs server.port (the management port is for Prometheus only)").isEqualTo(appPort);
            }
        }
        NetworkPolicy policy = r.model("NetworkPolicy", NetworkPolicy.class);
        assertThat(policy.getSpec().getIngress()).as(r + ": NetworkPolicy ingress rules open the app port to someone")
                .anySatisfy(rule -> assertThat(rule.getPorts()).extracting(NetworkPolicyPort::getPort)
                        .anySatisfy(p -> assertThat(resolve(r, p)).isEqualTo(appPort)));
    }

    // ------------------------------------------------------------------ pub/sub

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void pubsubMatchesTheApplicationDefaults(Rendered r) {
        String pubsub = daprDefault("pubsub-name");
        String topic = daprDefault("topic");
        String deadLetter = daprDefault("dead-letter-topic");
        assertThat(List.of(pubsub, topic, deadLetter)).as("DaprProperties defaults").containsExactly("taskpubsub", "task-updates",
                "task-updates-dlq");

        JsonNode k8s = r.dapr("Component", pubsub);
        JsonNode local = localComponent("Component", pubsub);
        assertThat(k8s.path("spec").path("type").asString()).as(r + ": component type").isEqualTo("pubsub.kafka")
                .isEqualTo(local.path("spec").path("type").asString());
        assertThat(k8s.path("spec").path("version").asString()).as(r + ": component version vs components/")
                .isEqualTo(local.path("spec").path("version").asString());
        Map<String, String> k8sItems = metadataItems(k8s);
        Map<String, String> localItems = metadataItems(local);
        for (String same : List.of("consumerGroup", "clientID")) {
            assertThat(k8sItems.get(same)).as(r + ": pubsub metadata " + same + " vs components/pubsub.yaml").isEqualTo(localItems.get(same));
        }
        assertThat(k8sItems.get("consumerGroup")).as(r + ": each replica needs its own consumer group").contains("{podName}");
        // A new ordinal's first group (no committed offset) must not replay the retained backlog.
        assertThat(k8sItems.get("initialOffset")).as(r + ": initialOffset").isEqualTo("newest");
        assertThat(k8sItems.get("brokers")).as(r + ": brokers come from a Kubernetes Secret").startsWith("secretKeyRef:");
        assertThat(k8s.path("auth").path("secretStore").asString()).as(r + ": auth.secretStore").isEqualTo("kubernetes");

        // Topic restrictions, when someone adds them, must let tasksync subscribe and dead-letter.
        for (Map<String, String> items : List.of(k8sItems, localItems)) {
            if (items.containsKey("allowedTopics")) {
                assertThat(List.of(items.get("allowedTopics").split(","))).as("allowedTopics").contains(topic, deadLetter);
            }
            scopedTopics(items.get("subscriptionScopes")).ifPresent(t -> assertThat(t).as("subscriptionScopes for " + APP_ID)
                    .contains(topic));
            scopedTopics(items.get("publishingScopes")).ifPresent(t -> assertThat(t)
                    .as("publishingScopes for " + APP_ID + " (daprd publishes dead letters as the app)").contains(deadLetter));
        }

        // Resiliency targets the same component, here and locally.
        for (JsonNode resiliency : List.of(r.dapr("Resiliency", "tasksync-delivery"), localComponent("Resiliency", "tasksync-delivery"))) {
            assertThat(resiliency.path("spec").path("targets").path("components").has(pubsub))
                    .as("Resiliency tasksync-delivery must target component " + pubsub).isTrue();
        }
        // Declarative subscriptions, if any, must say what the app says.
        for (JsonNode sub : r.ofKind("Subscription")) {
            assertThat(sub.path("spec").path("pubsubname").asString()).as(r.where(sub)).isEqualTo(pubsub);
            assertThat(sub.path("spec").path("topic").asString()).as(r.where(sub)).isEqualTo(topic);
            assertThat(sub.path("spec").path("deadLetterTopic").asString(deadLetter)).as(r.where(sub)).isEqualTo(deadLetter);
        }
    }

    private static Optional<List<String>> scopedTopics(String scopes) {
        if (scopes == null) {
            return Optional.empty();
        }
        for (String entry : scopes.split(";")) {
            String[] parts = entry.split("=", 2);
            if (parts[0].trim().equals(APP_ID)) {
                return Optional.of(parts.length < 2 ? List.of() : List.of(parts[1].split(",")));
            }
        }
        return Optional.of(List.of());
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev.tasksync.ingress.TaskUpdatesRoute", "dev.tasksync.ingress.BulkTaskUpdatesRoute"})
    void topicAnnotationDefaultsMatchDaprProperties(String route) throws ClassNotFoundException {
        Method receive = Stream.of(Class.forName(route).getDeclaredMethods()).filter(m -> m.isAnnotationPresent(Topic.class))
                .findFirst().orElseThrow(() -> new AssertionError(route + " has no @Topic method"));
        Topic topic = receive.getAnnotation(Topic.class);
        Map<String, String> expected = Map.of(
                topic.pubsubName(), "tasksync.dapr.pubsub-name",
                topic.name(), "tasksync.dapr.topic",
                topic.deadLetterTopic(), "tasksync.dapr.dead-letter-topic");
        Pattern placeholder = Pattern.compile("^\\$\\{([^:}]+):([^}]*)}$");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            Matcher m = placeholder.matcher(e.getKey());
            assertThat(m.matches()).as("@Topic attribute " + e.getKey() + " should be ${" + e.getValue() + ":default}").isTrue();
            assertThat(m.group(1)).as("@Topic attribute " + e.getKey()).isEqualTo(e.getValue());
            assertThat(m.group(2)).as("@Topic default for " + e.getValue() + " vs DaprProperties @DefaultValue")
                    .isEqualTo(AppDefaults.recordDefaults(DaprProperties.class).get(e.getValue()));
        }
        assertThat(DaprProperties.ROUTE).as("the Dapr route the README and the NetworkPolicy comments name").isEqualTo("/task-updates");
    }

    // ------------------------------------------------------------------ probes and health

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void probesUseHealthGroupsTheAppExposes(Rendered r) {
        assertThat(AppDefaults.fromApplicationYaml("management.endpoint.health.probes.enabled")).as(
                "application.yaml management.endpoint.health.probes.enabled (serves /actuator/health/liveness and /readiness)")
                .contains("true");
        assertThat(AppDefaults.fromApplicationYaml("management.endpoints.web.exposure.include").orElse("health"))
                .as("application.yaml management.endpoints.web.exposure.include").contains("health");
        assertThat(AppDefaults.fromApplicationYaml("management.endpoints.web.base-path").orElse("/actuator"))
                .as("application.yaml management.endpoints.web.base-path").isEqualTo("/actuator");
        assertThat(AppDefaults.fromApplicationYaml("management.endpoint.health.probes.add-additional-paths"))
                .as("application.yaml management.endpoint.health.probes.add-additional-paths (/livez, /readyz on the app port)")
                .contains("true");

        Container app = r.app();
        Map<String, Probe> probes = new LinkedHashMap<>();
        probes.put("startupProbe", app.getStartupProbe());
        probes.put("livenessProbe", app.getLivenessProbe());
        probes.put("readinessProbe", app.getReadinessProbe());
        // The probe groups on the app port: with management.server.port set, /actuator/health is on the management port,
        // and daprd's app health check can only probe the app port.
        Map<String, String> paths = Map.of("startupProbe", "/livez", "livenessProbe", "/livez", "readinessProbe", "/readyz");
        for (Map.Entry<String, Probe> probe : probes.entrySet()) {
            assertThat(probe.getValue()).as(r + ": " + probe.getKey()).isNotNull();
            assertThat(probe.getValue().getHttpGet()).as(r + ": " + probe.getKey() + " httpGet").isNotNull();
            assertThat(probe.getValue().getHttpGet().getPath()).as(r + ": " + probe.getKey() + " path")
                    .isEqualTo(paths.get(probe.getKey()));
            assertThat(resolve(r, probe.getValue().getHttpGet().getPort())).as(r + ": " + probe.getKey() + " port")
                    .isEqualTo(serverPortDefault());
        }
        Map<String, String> a = r.podAnnotations();
        JsonNode runFile = runFileApp();
        assertThat(a.get("dapr.io/app-health-check-path")).as(r + ": daprd's app health check vs the readiness probe")
                .isEqualTo(app.getReadinessProbe().getHttpGet().getPath())
                .isEqualTo(runFile.path("appHealthCheckPath").asString());
        assertThat(runFile.path("enableAppHealthCheck").asBoolean()).as("dapr.yaml enableAppHealthCheck").isTrue();
        Map<String, String> runFileKeys = Map.of("dapr.io/app-health-probe-interval", "appHealthProbeInterval",
                "dapr.io/app-health-probe-timeout", "appHealthProbeTimeout", "dapr.io/app-health-threshold", "appHealthThreshold");
        runFileKeys.forEach((annotation, key) -> assertThat(a.get(annotation))
                .as(r + ": " + annotation + " vs dapr.yaml " + key).isEqualTo(runFile.path(key).asString()));
        // daprd's probe must time out before the next one starts
        assertThat(Integer.parseInt(a.get("dapr.io/app-health-probe-timeout")))
                .as(r + ": app-health-probe-timeout (ms) < app-health-probe-interval (s)")
                .isLessThan(Integer.parseInt(a.get("dapr.io/app-health-probe-interval")) * 1000);
    }

    // ------------------------------------------------------------------ shutdown

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void terminationGraceCoversTheDrain(Rendered r) {
        Duration drain = AppDefaults.duration(AppDefaults.effective(WebSocketProperties.class, "tasksync.ws.drain-timeout"));
        Duration phase = AppDefaults.duration(AppDefaults.fromApplicationYaml("spring.lifecycle.timeout-per-shutdown-phase")
                .orElse("30s"));
        assertThat(AppDefaults.fromApplicationYaml("server.shutdown")).as("application.yaml server.shutdown").contains("graceful");
        long grace = r.podTemplate().getSpec().getTerminationGracePeriodSeconds();
        long daprGrace = Long.parseLong(r.podAnnotations().get("dapr.io/graceful-shutdown-seconds"));
        long preStop = preStopSeconds(r);
        long margin = 5;
        assertThat(grace).as(r + ": terminationGracePeriodSeconds >= preStop (" + preStop + "s) + tasksync.ws.drain-timeout ("
                + drain.toSeconds() + "s) + spring.lifecycle.timeout-per-shutdown-phase (" + phase.toSeconds() + "s) + " + margin + "s")
                .isGreaterThanOrEqualTo(preStop + drain.plus(phase).toSeconds() + margin);
        assertThat(grace).as(r + ": terminationGracePeriodSeconds >= dapr.io/graceful-shutdown-seconds (" + daprGrace + ") + "
                + margin + "s, so the kubelet never kills daprd mid-shutdown").isGreaterThanOrEqualTo(daprGrace + margin);
        assertThat(daprGrace).as(r + ": dapr.io/graceful-shutdown-seconds covers the app's drain (in-flight deliveries finish)")
                .isGreaterThanOrEqualTo(drain.plus(phase).toSeconds());
    }

    private static long preStopSeconds(Rendered r) {
        var lifecycle = r.app().getLifecycle();
        if (lifecycle == null || lifecycle.getPreStop() == null || lifecycle.getPreStop().getSleep() == null) {
            return 0;
        }
        return lifecycle.getPreStop().getSleep().getSeconds();
    }

    /** Gateways and kube-proxy learn that a deleted pod left the endpoints a few seconds late: keep serving meanwhile. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void preStopKeepsServingUntilTheProxiesStopRouting(Rendered r) {
        var lifecycle = r.app().getLifecycle();
        assertThat(lifecycle).as(r + ": tasksync container lifecycle").isNotNull();
        assertThat(lifecycle.getPreStop()).as(r + ": preStop hook").isNotNull();
        assertThat(lifecycle.getPreStop().getExec()).as(r + ": preStop exec (the image has no shell or sleep binary)").isNull();
        assertThat(lifecycle.getPreStop().getSleep()).as(r + ": preStop sleep action (Kubernetes 1.30+)").isNotNull();
        assertThat(preStopSeconds(r)).as(r + ": preStop sleep seconds: long enough for endpoint propagation, short enough "
                + "that clients get their 1001 soon").isBetween(3L, 15L);
    }

    // ------------------------------------------------------------------ container hardening

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void containerIsLockedDown(Rendered r) {
        PodSpec pod = r.podTemplate().getSpec();
        Container app = r.app();
        PodSecurityContext podSc = Objects.requireNonNullElseGet(pod.getSecurityContext(), PodSecurityContext::new);
        SecurityContext sc = Objects.requireNonNullElseGet(app.getSecurityContext(), SecurityContext::new);
        String w = r + ": tasksync container ";
        assertThat(Optional.ofNullable(sc.getRunAsNonRoot()).orElse(podSc.getRunAsNonRoot())).as(w + "runAsNonRoot").isTrue();
        assertThat(Optional.ofNullable(sc.getRunAsUser()).orElse(podSc.getRunAsUser())).as(w + "runAsUser").isEqualTo(10001L);
        assertThat(sc.getReadOnlyRootFilesystem()).as(w + "readOnlyRootFilesystem").isTrue();
        assertThat(sc.getAllowPrivilegeEscalation()).as(w + "allowPrivilegeEscalation").isFalse();
        assertThat(sc.getCapabilities()).as(w + "capabilities").isNotNull();
        assertThat(sc.getCapabilities().getDrop()).as(w + "capabilities.drop").contains("ALL");
        assertThat(sc.getCapabilities().getAdd()).as(w + "capabilities.add").isNullOrEmpty();
        assertThat(Optional.ofNullable(sc.getSeccompProfile()).orElse(podSc.getSeccompProfile())).as(w + "seccompProfile")
                .isNotNull().satisfies(p -> assertThat(p.getType()).isEqualTo("RuntimeDefault"));
        assertThat(podSc.getSeccompProfile()).as(r + ": pod seccompProfile (covers the injected daprd too)").isNotNull();

        // read-only root: /tmp is a writable emptyDir, and the JVM's tmpdir
        String tmpVolume = app.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp")).findFirst()
                .orElseThrow(() -> new AssertionError(w + "has no volume mounted at /tmp")).getName();
        assertThat(pod.getVolumes()).as(r + ": volume " + tmpVolume)
                .anySatisfy(v -> {
                    assertThat(v.getName()).isEqualTo(tmpVolume);
                    assertThat(v.getEmptyDir()).isNotNull();
                });
        String javaOptions = env(app).get("JAVA_TOOL_OPTIONS");
        assertThat(javaOptions).as(w + "JAVA_TOOL_OPTIONS").isNotNull().containsPattern("-XX:MaxRAMPercentage=\\d+");

        Map<String, Quantity> requests = app.getResources().getRequests();
        Map<String, Quantity> limits = app.getResources().getLimits();
        assertThat(requests).as(w + "resources.requests").containsKeys("cpu", "memory");
        assertThat(limits).as(w + "resources.limits").containsKey("memory");
        assertThat(Quantity.getAmountInBytes(limits.get("memory")))
                .as(w + "memory limit = request (the heap is a share of the limit; never evicted first for memory)")
                .isEqualByComparingTo(Quantity.getAmountInBytes(requests.get("memory")));
        // No CPU limit: a CFS quota throttles the event loops in bursts. Then the JVM must be told how many CPUs to size for.
        assertThat(limits).as(w + "resources.limits.cpu (throttling; src/docs/BENCHMARKS.md \"Pod sizing\")").doesNotContainKey("cpu");
        assertThat(javaOptions).as(w + "JAVA_TOOL_OPTIONS -XX:ActiveProcessorCount (without a CPU limit the JVM sizes "
                + "GC threads and event loops for the whole node)").containsPattern("-XX:ActiveProcessorCount=\\d+");

        assertThat(pod.getAutomountServiceAccountToken()).as(r + ": automountServiceAccountToken").isFalse();
        assertThat(pod.getEnableServiceLinks())
                .as(r + ": enableServiceLinks (TASKSYNC_PORT=tcp://... would land in tasksync.* properties)").isFalse();
        EnvVar podName = app.getEnv().stream().filter(e -> e.getName().equals("POD_NAME")).findFirst()
                .orElseThrow(() -> new AssertionError(w + "has no POD_NAME"));
        assertThat(podName.getValueFrom().getFieldRef().getFieldPath()).as(w + "POD_NAME source").isEqualTo("metadata.name");
    }

    private static Map<String, String> env(Container c) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : c.getEnv()) {
            env.put(e.getName(), e.getValue());
        }
        return env;
    }

    // ------------------------------------------------------------------ secrets

    /** Every Secret the rendered overlay refers to, as "name" or "name key". */
    private static List<String[]> secretReferences(Rendered r) {
        List<String[]> refs = new ArrayList<>();
        Container app = r.app();
        for (EnvVar e : app.getEnv()) {
            if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                refs.add(new String[] {e.getValueFrom().getSecretKeyRef().getName(), e.getValueFrom().getSecretKeyRef().getKey(),
                        "env " + e.getName()});
            }
        }
        for (EnvFromSource e : app.getEnvFrom()) {
            if (e.getSecretRef() != null) {
                refs.add(new String[] {e.getSecretRef().getName(), null, "envFrom"});
            }
        }
        r.podTemplate().getSpec().getVolumes().stream().filter(v -> v.getSecret() != null)
                .forEach(v -> refs.add(new String[] {v.getSecret().getSecretName(), null, "volume " + v.getName()}));
        // Dapr's injector reads the key "token" of the app-token Secret.
        refs.add(new String[] {r.podAnnotations().get("dapr.io/app-token-secret"), "token", "dapr.io/app-token-secret"});
        for (JsonNode component : r.ofKind("Component")) {
            for (JsonNode item : component.path("spec").path("metadata")) {
                if (item.has("secretKeyRef")) {
                    refs.add(new String[] {item.get("secretKeyRef").path("name").asString(),
                            item.get("secretKeyRef").path("key").asString(null), r.where(component) + " " + item.path("name").asString()});
                }
            }
        }
        for (Ingress ingress : r.models("Ingress", Ingress.class)) {
            ingress.getSpec().getTls().forEach(t -> refs.add(new String[] {t.getSecretName(), null, "Ingress tls"}));
        }
        return refs;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void everyReferencedSecretIsDocumented(Rendered r) throws Exception {
        List<String> readme = Files.readAllLines(DeployFiles.k8s().resolve("README.md"));
        List<String> missing = new ArrayList<>();
        for (String[] ref : secretReferences(r)) {
            String name = ref[0];
            String key = ref[1];
            boolean documented = readme.stream().anyMatch(line -> line.contains("`" + name + "`")
                    && (key == null || line.contains("`" + key + "`")));
            boolean creatable = readme.stream().anyMatch(line -> line.contains("create secret") && line.contains(" " + name));
            if (!documented || !creatable) {
                missing.add(ref[2] + " -> Secret " + name + (key == null ? "" : " key " + key)
                        + (documented ? "" : " (no table row naming `" + name + "`" + (key == null ? "" : " and `" + key + "`") + ")")
                        + (creatable ? "" : " (no `kubectl create secret ... " + name + "` command)"));
            }
        }
        assertThat(missing).as(r + ": Secrets referenced but not documented in k8s/README.md").isEmpty();
        assertThat(r.ofKind("Secret")).as(r + ": Secrets are created by hand (k8s/README.md), never kept in the repo").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void tokensComeFromSecretsNotLiterals(Rendered r) {
        Container app = r.app();
        Map<String, EnvVar> env = app.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, Function.identity()));
        String appToken = r.podAnnotations().get("dapr.io/app-token-secret");
        EnvVar apiToken = env.get("APP_API_TOKEN");
        assertThat(apiToken).as(r + ": APP_API_TOKEN env (the app must check what daprd sends)").isNotNull();
        assertThat(apiToken.getValueFrom().getSecretKeyRef().getName()).as(r + ": APP_API_TOKEN Secret vs dapr.io/app-token-secret")
                .isEqualTo(appToken);
        assertThat(apiToken.getValueFrom().getSecretKeyRef().getKey()).as(r + ": APP_API_TOKEN key (Dapr reads \"token\")")
                .isEqualTo("token");
        assertThat(AppDefaults.placeholderVariable("tasksync.dapr.app-api-token")).as("application.yaml reads APP_API_TOKEN")
                .contains("APP_API_TOKEN");
        EnvVar secret = env.get("BETTER_AUTH_SECRET");
        assertThat(secret).as(r + ": BETTER_AUTH_SECRET env").isNotNull();
        assertThat(secret.getValueFrom().getSecretKeyRef().getName()).as(r + ": BETTER_AUTH_SECRET Secret").isEqualTo("tasksync-auth");
        assertThat(secret.getValueFrom().getSecretKeyRef().getKey()).as(r + ": BETTER_AUTH_SECRET key").isEqualTo("better-auth-secret");
        assertThat(AppDefaults.placeholderVariable("tasksync.auth.secret")).as("application.yaml reads BETTER_AUTH_SECRET")
                .contains("BETTER_AUTH_SECRET");
        Pattern sensitive = Pattern.compile(".*(SECRET|TOKEN|PASSWORD|PRIVATE|CREDENTIAL).*");
        for (EnvVar e : app.getEnv()) {
            if (sensitive.matcher(e.getName()).matches()) {
                assertThat(e.getValue()).as(r + ": " + e.getName() + " must come from a Secret, not a literal").isNull();
            }
        }
        for (ConfigMap cm : r.models("ConfigMap", ConfigMap.class)) {
            assertThat(cm.getData().keySet()).as(r + ": ConfigMap " + cm.getMetadata().getName() + " keys that look secret")
                    .noneMatch(k -> sensitive.matcher(k.toUpperCase()).matches());
        }
    }

    // ------------------------------------------------------------------ configuration (ConfigMap / env)

    private static final List<Class<? extends Record>> PROPERTIES = List.of(AuthProperties.class, DaprProperties.class,
            WebSocketProperties.class, HistoryProperties.class, DevProperties.class);

    /** The env the tasksync container gets from ConfigMaps (envFrom) and literal env values. */
    private static Map<String, Object> plainEnv(Rendered r) {
        Map<String, Object> env = new LinkedHashMap<>();
        for (EnvFromSource from : r.app().getEnvFrom()) {
            if (from.getConfigMapRef() != null) {
                String name = from.getConfigMapRef().getName();
                ConfigMap cm = r.models("ConfigMap", ConfigMap.class).stream().filter(c -> c.getMetadata().getName().equals(name))
                        .findFirst().orElseThrow(() -> new AssertionError(r + ": envFrom names ConfigMap " + name + ", not rendered"));
                String prefix = from.getPrefix() == null ? "" : from.getPrefix();
                cm.getData().forEach((k, v) -> env.put(prefix + k, v));
            }
        }
        for (EnvVar e : r.app().getEnv()) {
            if (e.getValue() != null) {
                env.put(e.getName(), e.getValue());
            }
        }
        return env;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void configMapKeysAreRealProperties(Rendered r) {
        Map<String, Object> env = plainEnv(r);
        List<String> properties = PROPERTIES.stream().flatMap(t -> AppDefaults.recordDefaults(t).keySet().stream()).toList();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Object> e : env.entrySet()) {
            if (e.getKey().startsWith("TASKSYNC_")) {
                // Spring's own mapping of environment variables to property names decides.
                ConfigurationPropertySource source = ConfigurationPropertySource.from(
                        new SystemEnvironmentPropertySource("env", Map.of(e.getKey(), e.getValue())));
                boolean bound = properties.stream()
                        .anyMatch(p -> source.getConfigurationProperty(ConfigurationPropertyName.of(p)) != null);
                if (!bound) {
                    problems.add(e.getKey() + " sets no tasksync property (known: " + properties + ")");
                }
            } else if (e.getKey().equals("LOGGING_STRUCTURED_FORMAT_CONSOLE")) {
                if (!Set.of("ecs", "logstash", "gelf").contains(String.valueOf(e.getValue()))) {
                    problems.add(e.getKey() + "=" + e.getValue() + " is not one of Spring Boot's structured formats");
                }
            } else if (e.getKey().startsWith("LOGGING_LEVEL_")) {
                if (!Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "OFF").contains(String.valueOf(e.getValue()).toUpperCase())) {
                    problems.add(e.getKey() + "=" + e.getValue() + " is not a log level");
                }
            }
        }
        assertThat(problems).as(r + ": environment of the tasksync container").isEmpty();

        // And the whole environment binds: numbers are numbers, durations are durations.
        Map<String, Object> all = new LinkedHashMap<>(env);
        all.put("BETTER_AUTH_SECRET", "x".repeat(32));
        Binder binder = new Binder(ConfigurationPropertySource.from(new SystemEnvironmentPropertySource("env", all)));
        for (Class<? extends Record> type : PROPERTIES) {
            String prefix = type.getAnnotation(ConfigurationProperties.class).value();
            binder.bindOrCreate(prefix, Bindable.of(type));
        }
        DevProperties dev = binder.bindOrCreate("tasksync.dev", Bindable.of(DevProperties.class));
        assertThat(dev.enabled()).as(r + ": tasksync.dev.enabled (/dev/token mints tokens for anyone)").isFalse();
        if (r.name().endsWith("prod")) {
            WebSocketProperties ws = binder.bindOrCreate("tasksync.ws", Bindable.of(WebSocketProperties.class));
            assertThat(ws.allowedOrigins()).as(r + ": tasksync.ws.allowed-origins must be set in production").isNotEmpty()
                    .allSatisfy(o -> assertThat(o).startsWith("https://"));
        }
    }

    // ------------------------------------------------------------------ wiring between objects

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void objectsReferToEachOther(Rendered r) {
        StatefulSet workload = r.statefulSet();
        Map<String, String> podLabels = r.podLabels();
        assertThat(selects(workload.getSpec().getSelector(), podLabels)).as(r + ": StatefulSet selector vs its pod labels").isTrue();
        Service service = r.service();
        assertThat(podLabels).as(r + ": Service selector vs pod labels").containsAllEntriesOf(service.getSpec().getSelector());
        PodDisruptionBudget pdb = r.model("PodDisruptionBudget", PodDisruptionBudget.class);
        assertThat(selects(pdb.getSpec().getSelector(), podLabels)).as(r + ": PDB selector vs pod labels").isTrue();
        NetworkPolicy policy = r.model("NetworkPolicy", NetworkPolicy.class);
        assertThat(selects(policy.getSpec().getPodSelector(), podLabels)).as(r + ": NetworkPolicy podSelector vs pod labels").isTrue();
        workload.getSpec().getTemplate().getSpec().getTopologySpreadConstraints().forEach(t ->
                assertThat(selects(t.getLabelSelector(), podLabels)).as(r + ": topologySpreadConstraint " + t.getTopologyKey()).isTrue());
        String governing = workload.getSpec().getServiceName();
        assertThat(r.models("Service", Service.class)).as(r + ": the StatefulSet's serviceName " + governing + " is a headless Service")
                .anySatisfy(svc -> {
                    assertThat(svc.getMetadata().getName()).isEqualTo(governing);
                    assertThat(svc.getSpec().getClusterIP()).isEqualTo("None");
                    assertThat(podLabels).containsAllEntriesOf(svc.getSpec().getSelector());
                });
        String sa = workload.getSpec().getTemplate().getSpec().getServiceAccountName();
        assertThat(r.ofKind("ServiceAccount")).as(r + ": ServiceAccount " + sa)
                .anySatisfy(s -> assertThat(s.path("metadata").path("name").asString()).isEqualTo(sa));

        HorizontalPodAutoscaler hpa = r.model("HorizontalPodAutoscaler", HorizontalPodAutoscaler.class);
        assertThat(hpa.getSpec().getScaleTargetRef().getKind()).as(r + ": HPA target kind").isEqualTo("StatefulSet");
        assertThat(hpa.getSpec().getScaleTargetRef().getApiVersion()).as(r + ": HPA target apiVersion").isEqualTo("apps/v1");
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).as(r + ": HPA target").isEqualTo(workload.getMetadata().getName());

        boolean min = pdb.getSpec().getMinAvailable() != null;
        boolean max = pdb.getSpec().getMaxUnavailable() != null;
        assertThat(min ^ max).as(r + ": PDB sets exactly one of minAvailable / maxUnavailable").isTrue();
        if (min && pdb.getSpec().getMinAvailable().getIntVal() != null) {
            assertThat(pdb.getSpec().getMinAvailable().getIntVal())
                    .as(r + ": PDB minAvailable below the minimum replicas, else no node can ever be drained")
                    .isLessThan(hpa.getSpec().getMinReplicas());
        }
    }

    static Stream<Rendered> extras() {
        return Rendered.extras().stream().map(Rendered::of);
    }

    /** The ingress-nginx example (k8s/extras/ingress-nginx), applied next to an overlay, against the prod overlay's Service. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("extras")
    void ingressServesOnlyTheWebSocketWithLongTimeouts(Rendered r) {
        String wsPath = AppDefaults.effective(WebSocketProperties.class, "tasksync.ws.path");
        Duration ping = AppDefaults.duration(AppDefaults.effective(WebSocketProperties.class, "tasksync.ws.ping-interval"));
        Duration idle = AppDefaults.duration(AppDefaults.effective(WebSocketProperties.class, "tasksync.ws.idle-timeout"));
        Rendered prod = Rendered.of(DeployFiles.k8s().resolve("overlays/prod"));
        Service service = prod.models("Service", Service.class).stream().filter(svc -> !"None".equals(svc.getSpec().getClusterIP()))
                .findFirst().orElseThrow();
        assertThat(r.ofKind("Ingress")).as(r + ": renders an Ingress").isNotEmpty();
        for (Ingress ingress : r.models("Ingress", Ingress.class)) {
            Map<String, String> a = ingress.getMetadata().getAnnotations();
            for (String timeout : List.of("nginx.ingress.kubernetes.io/proxy-read-timeout", "nginx.ingress.kubernetes.io/proxy-send-timeout")) {
                assertThat(a).as(r + ": Ingress annotation " + timeout).containsKey(timeout);
                assertThat(Long.parseLong(a.get(timeout))).as(r + ": " + timeout + " (s) vs ping interval " + ping + " / idle timeout "
                        + idle).isGreaterThanOrEqualTo(3600L).isGreaterThan(idle.toSeconds()).isGreaterThan(ping.toSeconds());
            }
            List<HTTPIngressPath> paths = ingress.getSpec().getRules().stream().flatMap(rule -> rule.getHttp().getPaths().stream()).toList();
            assertThat(paths).as(r + ": Ingress paths").extracting(HTTPIngressPath::getPath)
                    .contains(wsPath, AppDefaults.effective(dev.tasksync.sse.SseProperties.class, "tasksync.sse.path"));
            for (HTTPIngressPath path : paths) {
                assertThat(path.getPath()).as(r + ": Ingress must not publish internal endpoints")
                        .doesNotStartWith(DaprProperties.ROUTE).doesNotStartWith("/dapr").doesNotStartWith("/actuator")
                        .doesNotStartWith("/stats").doesNotStartWith("/dev").isNotEqualTo("/");
                var backend = path.getBackend().getService();
                assertThat(backend.getName()).as(r + ": Ingress backend service").isEqualTo(service.getMetadata().getName());
                assertThat(service.getSpec().getPorts()).as(r + ": Ingress backend port " + backend.getPort())
                        .anySatisfy(p -> assertThat(backend.getPort().getName() != null
                                ? backend.getPort().getName().equals(p.getName())
                                : Objects.equals(backend.getPort().getNumber(), p.getPort())).isTrue());
            }
            List<String> hosts = ingress.getSpec().getRules().stream().map(rule -> rule.getHost()).toList();
            ingress.getSpec().getTls().forEach(t -> assertThat(hosts).as(r + ": TLS hosts vs rule hosts").containsAll(t.getHosts()));
            assertThat(a).as(r + ": access log off (tokens travel in ?token=)").containsEntry("nginx.ingress.kubernetes.io/enable-access-log", "false");
            assertThat(a).as(r + ": per-address connection limit (tasksync has none of its own)")
                    .containsKey("nginx.ingress.kubernetes.io/limit-connections");
            assertThat(Integer.parseInt(a.get("nginx.ingress.kubernetes.io/limit-connections")))
                    .as(r + ": limit-connections at least the per-user cap tasksync.ws.max-connections-per-user")
                    .isGreaterThanOrEqualTo(Integer.parseInt(AppDefaults.effective(WebSocketProperties.class,
                            "tasksync.ws.max-connections-per-user")));
            assertThat(ingress.getMetadata().getNamespace()).as(r + ": same namespace as the prod overlay's Service")
                    .isEqualTo(service.getMetadata().getNamespace());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void networkPolicyLetsDaprdWork(Rendered r) {
        NetworkPolicy policy = r.model("NetworkPolicy", NetworkPolicy.class);
        assertThat(policy.getSpec().getPolicyTypes()).as(r + ": NetworkPolicy policyTypes").contains("Ingress", "Egress");
        List<NetworkPolicyPort> egressPorts = policy.getSpec().getEgress().stream().flatMap(e -> e.getPorts().stream()).toList();
        Function<Integer, Boolean> egress = port -> egressPorts.stream()
                .anyMatch(p -> p.getPort() != null && Objects.equals(p.getPort().getIntVal(), port));
        Map<Integer, String> needed = Map.of(53, "DNS", 50001, "dapr-sentry (mTLS certificates)",
                6500, "dapr-operator (components, configuration)");
        needed.forEach((port, what) -> assertThat(egress.apply(port)).as(r + ": egress to " + what + " on " + port).isTrue());
        assertThat(egressPorts).as(r + ": DNS over UDP").anySatisfy(p -> {
            assertThat(p.getPort().getIntVal()).isEqualTo(53);
            assertThat(p.getProtocol()).isEqualTo("UDP");
        });
    }

    // ------------------------------------------------------------------ overlay specifics

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void imagesArePinnedPerOverlay(Rendered r) {
        for (Container c : r.podTemplate().getSpec().getContainers()) {
            assertThat(c.getImage()).as(r + ": image of " + c.getName() + " carries a tag or digest")
                    .matches(".+(:[^/:]+|@sha256:[0-9a-f]{64})$");
            if (r.name().endsWith("prod")) {
                assertThat(c.getImage()).as(r + ": production image must not use a moving tag").doesNotEndWith(":latest")
                        .doesNotEndWith(":dev");
            }
        }
    }

    @Test
    void prodRunsThreeReplicasWithADisruptionBudget() {
        Rendered prod = Rendered.of(DeployFiles.k8s().resolve("overlays/prod"));
        assertThat(prod.model("HorizontalPodAutoscaler", HorizontalPodAutoscaler.class).getSpec().getMinReplicas())
                .as("prod HPA minReplicas").isGreaterThanOrEqualTo(3);
        IntOrString minAvailable = prod.model("PodDisruptionBudget", PodDisruptionBudget.class).getSpec().getMinAvailable();
        assertThat(minAvailable).as("prod PDB minAvailable").isNotNull();
        assertThat(minAvailable.getIntVal()).as("prod PDB minAvailable").isGreaterThanOrEqualTo(2);
        assertThat(prod.podTemplate().getSpec().getTopologySpreadConstraints())
                .as("prod spreads over zones").anySatisfy(t -> assertThat(t.getTopologyKey()).isEqualTo("topology.kubernetes.io/zone"));
    }
}
