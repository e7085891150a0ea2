package dev.tasksync.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** One kustomization rendered by {@link Kustomize}, with typed access to its resources. */
final class Rendered {

    private static final Map<Path, Rendered> CACHE = new ConcurrentHashMap<>();

    final Path dir;
    final List<ObjectNode> resources;

    private Rendered(Path dir, List<ObjectNode> resources) {
        this.dir = dir;
        this.resources = List.copyOf(resources);
    }

    static Rendered of(Path dir) {
        return CACHE.computeIfAbsent(dir.toAbsolutePath().normalize(), d -> {
            Rendered rendered = new Rendered(d, Kustomize.build(d));
            rendered.writeTo(KustomizeCli.logDir().resolve(name(d) + ".yaml"));
            return rendered;
        });
    }

    /** k8s/overlays/* */
    static List<Path> overlays() {
        return kustomizationsIn(DeployFiles.k8s().resolve("overlays"));
    }

    /** k8s/extras/*: optional pieces applied next to an overlay (e.g. the ingress-nginx example). */
    static List<Path> extras() {
        return kustomizationsIn(DeployFiles.k8s().resolve("extras"));
    }

    private static List<Path> kustomizationsIn(Path parent) {
        try (Stream<Path> dirs = Files.list(parent)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("kustomization.yaml"))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String name(Path dir) {
        return DeployFiles.rel(dir).replace('/', '-');
    }

    String name() {
        return name(dir);
    }

    @Override
    public String toString() {
        return DeployFiles.rel(dir);
    }

    String where(JsonNode r) {
        return DeployFiles.rel(dir) + " (rendered) " + r.path("kind").asString("") + "/"
                + r.path("metadata").path("name").asString("");
    }

    List<ObjectNode> ofKind(String kind) {
        return resources.stream().filter(r -> r.path("kind").asString("").equals(kind)).toList();
    }

    ObjectNode only(String kind) {
        List<ObjectNode> all = ofKind(kind);
        if (all.size() != 1) {
            throw new AssertionError(this + ": expected exactly one " + kind + ", found " + all.size());
        }
        return all.get(0);
    }

    <T extends HasMetadata> T model(String kind, Class<T> type) {
        ObjectNode r = only(kind);
        return StrictKubernetesModel.parse(where(r), r, type);
    }

    <T extends HasMetadata> List<T> models(String kind, Class<T> type) {
        return ofKind(kind).stream().map(r -> StrictKubernetesModel.parse(where(r), r, type)).toList();
    }

    /** The workload: a StatefulSet, for its stable pod names (one Kafka consumer group per name). */
    StatefulSet statefulSet() {
        if (!ofKind("Deployment").isEmpty()) {
            throw new AssertionError(this + ": renders a Deployment; tasksync runs as a StatefulSet (stable pod names keep "
                    + "each replica's Kafka consumer group across rollouts, k8s/base/statefulset.yaml)");
        }
        return model("StatefulSet", StatefulSet.class);
    }

    PodTemplateSpec podTemplate() {
        return statefulSet().getSpec().getTemplate();
    }

    /** The Service clients reach (the ClusterIP one; the headless one only governs the StatefulSet's pod names). */
    io.fabric8.kubernetes.api.model.Service service() {
        List<io.fabric8.kubernetes.api.model.Service> services = models("Service", io.fabric8.kubernetes.api.model.Service.class)
                .stream().filter(s -> !"None".equals(s.getSpec().getClusterIP())).toList();
        if (services.size() != 1) {
            throw new AssertionError(this + ": expected exactly one Service with a cluster IP, found " + services.size());
        }
        return services.get(0);
    }

    /** The tasksync container of the workload. */
    Container app() {
        return podTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("tasksync")).findFirst()
                .orElseThrow(() -> new AssertionError(this + ": the StatefulSet has no container named tasksync"));
    }

    Map<String, String> podAnnotations() {
        Map<String, String> annotations = podTemplate().getMetadata().getAnnotations();
        return annotations == null ? Map.of() : annotations;
    }

    Map<String, String> podLabels() {
        return podTemplate().getMetadata().getLabels();
    }

    /** A Dapr resource of the given kind and name. */
    JsonNode dapr(String kind, String name) {
        return ofKind(kind).stream().filter(r -> r.path("metadata").path("name").asString("").equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(this + ": no Dapr " + kind + " named " + name + " (have: "
                        + ofKind(kind).stream().map(r -> r.path("metadata").path("name").asString()).toList() + ")"));
    }

    String yaml() {
        return resources.stream().map(DeployFiles.YAML::writeValueAsString).collect(Collectors.joining());
    }

    private void writeTo(Path file) {
        try {
            Files.writeString(file, yaml());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
