package dev.tasksync.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
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
        try (Stream<Path> dirs = Files.list(DeployFiles.k8s().resolve("overlays"))) {
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

    Deployment deployment() {
        return model("Deployment", Deployment.class);
    }

    /** The tasksync container of the Deployment. */
    Container app() {
        return deployment().getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("tasksync")).findFirst()
                .orElseThrow(() -> new AssertionError(this + ": the Deployment has no container named tasksync"));
    }

    Map<String, String> podAnnotations() {
        Map<String, String> annotations = deployment().getSpec().getTemplate().getMetadata().getAnnotations();
        return annotations == null ? Map.of() : annotations;
    }

    Map<String, String> podLabels() {
        return deployment().getSpec().getTemplate().getMetadata().getLabels();
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
