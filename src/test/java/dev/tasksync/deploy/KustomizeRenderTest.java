package dev.tasksync.deploy;

import dev.tasksync.support.GoTool;
import dev.tasksync.support.Prerequisite;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * k8s/base and every overlay render (with the Java renderer, {@link Kustomize}) into manifests that
 * parse strictly, and the renderer agrees with the real kustomize CLI (built from the Go module
 * proxy, see {@link KustomizeCli}) resource by resource and field by field. Rendered output:
 * target/deploy/*.yaml.
 */
class KustomizeRenderTest {

    private static List<Path> kustomizations() {
        List<Path> dirs = new ArrayList<>(List.of(DeployFiles.k8s().resolve("base")));
        dirs.addAll(Rendered.overlays());
        dirs.addAll(Rendered.extras());
        return dirs;
    }

    @Test
    void thereAreDevAndProdOverlays() {
        assertThat(Rendered.overlays()).extracting(p -> p.getFileName().toString()).contains("dev", "prod");
    }

    @TestFactory
    Stream<DynamicTest> renderedManifestsParse() {
        return kustomizations().stream().map(dir -> dynamicTest(DeployFiles.rel(dir), () -> {
            Rendered rendered = Rendered.of(dir);
            assertThat(rendered.resources).as(rendered + " renders nothing").isNotEmpty();
            List<String> problems = new ArrayList<>();
            for (ObjectNode r : rendered.resources) {
                problems.addAll(ManifestParseTest.problemsOf(new DeployFiles.Doc(dir.resolve("(rendered)"), 0, r), false));
            }
            String namespace = DeployFiles.single(dir.resolve("kustomization.yaml")).path("namespace").asString("");
            for (ObjectNode r : rendered.resources) {
                String kind = r.path("kind").asString();
                String actual = kind.equals("Namespace") ? r.path("metadata").path("name").asString("")
                        : r.path("metadata").path("namespace").asString("");
                if (!actual.equals(namespace)) {
                    problems.add(rendered.where(r) + ": in namespace \"" + actual + "\", expected \"" + namespace + "\"");
                }
            }
            assertThat(problems).as("problems in the rendered " + rendered).isEmpty();
        }));
    }

    @TestFactory
    Stream<DynamicTest> rendererAgreesWithKustomize() {
        return kustomizations().stream().map(dir -> dynamicTest(DeployFiles.rel(dir), () -> {
            GoTool.Located cli = KustomizeCli.locate();
            Prerequisite.require(cli.binary().isPresent(), "real kustomize unavailable for the comparison: " + cli.reason());
            String expectedYaml = KustomizeCli.build(cli.binary().get(), dir);
            Map<String, JsonNode> expected = byId(DeployFiles.parse(dir.resolve("(kustomize build)"), expectedYaml).stream()
                    .map(DeployFiles.Doc::tree).toList());
            Map<String, JsonNode> actual = byId(new ArrayList<>(Rendered.of(dir).resources));
            assertThat(actual.keySet()).as("resources rendered by Kustomize.java vs kustomize build " + DeployFiles.rel(dir))
                    .containsExactlyInAnyOrderElementsOf(expected.keySet());
            List<String> differences = new ArrayList<>();
            for (String id : expected.keySet()) {
                diff(id, "", actual.get(id), expected.get(id), differences);
            }
            assertThat(differences).as("Kustomize.java (left) differs from kustomize build (right) for " + DeployFiles.rel(dir)
                    + "; see target/deploy/").isEmpty();
        }));
    }

    private static Map<String, JsonNode> byId(List<? extends JsonNode> resources) {
        Map<String, JsonNode> byId = new TreeMap<>();
        for (JsonNode r : resources) {
            byId.put(r.path("apiVersion").asString("") + " " + r.path("kind").asString("") + " "
                    + r.path("metadata").path("namespace").asString("") + "/" + r.path("metadata").path("name").asString(""), r);
        }
        return byId;
    }

    static void diff(String id, String path, JsonNode left, JsonNode right, List<String> out) {
        if (left == null || right == null || left.getNodeType() != right.getNodeType()) {
            if (!(left != null && right != null && left.isNumber() && right.isNumber() && left.asString().equals(right.asString()))) {
                out.add(id + " " + path + ": " + left + " vs " + right);
            }
            return;
        }
        if (left.isObject()) {
            TreeSet<String> names = new TreeSet<>(left.propertyNames());
            names.addAll(right.propertyNames());
            for (String name : names) {
                diff(id, path + "/" + name, left.get(name), right.get(name), out);
            }
        } else if (left.isArray()) {
            if (left.size() != right.size()) {
                out.add(id + " " + path + ": " + left.size() + " elements vs " + right.size() + ": " + left + " vs " + right);
                return;
            }
            Iterator<JsonNode> l = left.iterator();
            Iterator<JsonNode> r = right.iterator();
            for (int i = 0; l.hasNext(); i++) {
                diff(id, path + "[" + i + "]", l.next(), r.next(), out);
            }
        } else if (!left.equals(right)) {
            out.add(id + " " + path + ": " + left + " vs " + right);
        }
    }

    /** The renderer's strategic merge on its own, including what our overlays do not (yet) exercise. */
    @Test
    void strategicMergeFollowsKustomize() {
        JsonNode base = DeployFiles.parse(Path.of("base"), """
                spec:
                  replicas: 2
                  template:
                    spec:
                      containers:
                        - name: a
                          image: a
                          env: [{name: X, value: "1"}, {name: Y, value: "2"}]
                        - name: b
                          image: b
                      tolerations: [{key: k1}]
                """).get(0).tree();
        JsonNode patch = DeployFiles.parse(Path.of("patch"), """
                spec:
                  replicas: null
                  template:
                    spec:
                      containers:
                        - name: b
                          image: b2
                        - name: a
                          env: [{name: Y, value: "3"}, {name: Z, value: "4"}]
                      tolerations: [{key: k2}]
                """).get(0).tree();
        JsonNode merged = Kustomize.merge("test", base, patch, "");
        assertThat(merged.at("/spec").has("replicas")).isFalse();
        JsonNode containers = merged.at("/spec/template/spec/containers");
        // patch order first, then base elements the patch does not name
        assertThat(containers.get(0).path("name").asString()).isEqualTo("b");
        assertThat(containers.get(0).path("image").asString()).isEqualTo("b2");
        assertThat(containers.get(1).path("image").asString()).isEqualTo("a");
        assertThat(containers.get(1).path("env").toString())
                .isEqualTo("[{\"name\":\"Y\",\"value\":\"3\"},{\"name\":\"Z\",\"value\":\"4\"},{\"name\":\"X\",\"value\":\"1\"}]");
        // no merge key: replaced whole
        assertThat(merged.at("/spec/template/spec/tolerations").toString()).isEqualTo("[{\"key\":\"k2\"}]");
    }
}
