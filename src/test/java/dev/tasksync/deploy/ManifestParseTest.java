package dev.tasksync.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every YAML file under k8s/ and components/, and dapr.yaml, parses as what it claims to be:
 * Kubernetes kinds into the fabric8 model with unknown fields and mistyped values refused
 * (kustomize patches too, as partial objects of their kind), Dapr resources and the Multi-App Run
 * file against the fields Dapr defines, kustomizations against what the renderer supports.
 */
class ManifestParseTest {

    @TestFactory
    Stream<DynamicTest> everyDeploymentFileParses() {
        Set<Path> patches = patchFiles();
        return DeployFiles.allDeploymentYaml().stream()
                .map(file -> dynamicTest(DeployFiles.rel(file), () -> assertParses(file, patches.contains(file))));
    }

    private static void assertParses(Path file, boolean isPatch) {
        List<String> problems = new ArrayList<>();
        List<DeployFiles.Doc> docs = DeployFiles.read(file);
        if (docs.isEmpty()) {
            problems.add(DeployFiles.rel(file) + ": no YAML document");
        }
        for (DeployFiles.Doc doc : docs) {
            problems.addAll(problemsOf(doc, isPatch));
        }
        assertThat(problems).as("problems in " + DeployFiles.rel(file)).isEmpty();
    }

    static List<String> problemsOf(DeployFiles.Doc doc, boolean isPatch) {
        JsonNode tree = doc.tree();
        try {
            if (doc.file().getFileName().toString().equals("kustomization.yaml")) {
                Kustomize.checkSupported(doc.where(), (ObjectNode) tree);
                return List.of();
            }
            if (DaprResources.isRunFile(tree)) {
                return DaprResources.checkRunFile(doc.where(), tree);
            }
            if (DaprResources.isDapr(tree)) {
                // A patch of a Dapr resource replaces its lists whole (no merge keys for CRDs): it must be complete on its own.
                return DaprResources.check(doc.where(), tree);
            }
            if (MonitoringResources.isMonitoring(tree)) {
                return MonitoringResources.check(doc.where(), tree);
            }
            if (isPatch) {
                var type = StrictKubernetesModel.modelClass(doc.apiVersion(), doc.kind()).orElseThrow(() -> new AssertionError(
                        doc.where() + ": patch for unknown kind " + doc.apiVersion() + " " + doc.kind()));
                StrictKubernetesModel.parse(doc.where(), tree, type);
            } else {
                StrictKubernetesModel.parse(doc.where(), tree);
            }
            return List.of();
        } catch (RuntimeException e) {
            return List.of(e.getMessage());
        }
    }

    /** Every patch file named by a kustomization under k8s/. */
    static Set<Path> patchFiles() {
        Set<Path> patches = new HashSet<>();
        for (Path kustomization : kustomizations()) {
            for (JsonNode patch : DeployFiles.single(kustomization).path("patches")) {
                if (patch.has("path")) {
                    patches.add(kustomization.resolveSibling(patch.get("path").asString()).normalize());
                }
            }
        }
        return patches;
    }

    static List<Path> kustomizations() {
        return DeployFiles.allDeploymentYaml().stream()
                .filter(p -> p.getFileName().toString().equals("kustomization.yaml"))
                .toList();
    }

    @Test
    void everyFileUnderK8sIsUsedByAKustomization() {
        Set<Path> used = new HashSet<>(patchFiles());
        for (Path kustomization : kustomizations()) {
            used.add(kustomization);
            for (JsonNode resource : DeployFiles.single(kustomization).path("resources")) {
                Path target = kustomization.resolveSibling(resource.asString()).normalize();
                assertThat(Files.exists(target)).as(DeployFiles.rel(kustomization) + " names " + resource.asString()
                        + ", which does not exist").isTrue();
                used.add(target);
            }
        }
        List<String> unused = DeployFiles.allDeploymentYaml().stream()
                .filter(p -> p.startsWith(DeployFiles.k8s()))
                .filter(p -> !used.contains(p))
                .map(DeployFiles::rel)
                .toList();
        assertThat(unused).as("YAML files under k8s/ that no kustomization deploys (add them to resources/patches, or delete them)")
                .isEmpty();
    }

    @Test
    void componentsHoldOnlyDaprResources() {
        List<String> other = DeployFiles.allDeploymentYaml().stream()
                .filter(p -> p.startsWith(DeployFiles.components()))
                .flatMap(p -> DeployFiles.read(p).stream())
                .filter(doc -> !DaprResources.isDapr(doc.tree()))
                .map(doc -> doc.where() + ": " + doc.apiVersion() + " " + doc.kind())
                .toList();
        assertThat(other).as("daprd loads every file in components/ (dapr.yaml resourcesPath)").isEmpty();
    }

    @Test
    void theCheckersThemselvesRejectBrokenDaprResources() {
        JsonNode broken = DeployFiles.parse(Path.of("broken.yaml"), """
                apiVersion: dapr.io/v1alpha1
                kind: Resiliency
                metadata: {name: r}
                spec:
                  policies:
                    retries:
                      r1: {policy: linear, duration: 1 second, maxRetrys: 3}
                  targets:
                    components:
                      taskpubsub: {inbound: {retry: r2}}
                """).get(0).tree();
        assertThat(DaprResources.check("broken.yaml", broken)).anySatisfy(p -> assertThat(p).contains("policy: \"linear\""))
                .anySatisfy(p -> assertThat(p).contains("duration: \"1 second\""))
                .anySatisfy(p -> assertThat(p).contains("maxRetrys: unknown field"))
                .anySatisfy(p -> assertThat(p).contains("policy \"r2\" is not defined"));
        JsonNode component = DeployFiles.parse(Path.of("c.yaml"), """
                apiVersion: dapr.io/v1alpha1
                kind: Component
                metadata: {name: taskpubsub}
                spec:
                  type: pubsub.kafka
                  version: v1
                  metadata:
                    - {name: brokers, secretKeyRef: {name: s, key: brokers}}
                    - {name: maxMessageBytes, value: 1024}
                    - {name: authType}
                  typo: 1
                """).get(0).tree();
        assertThat(DaprResources.check("c.yaml", component))
                .anySatisfy(p -> assertThat(p).contains("secretKeyRef without auth.secretStore"))
                .anySatisfy(p -> assertThat(p).contains("quote the value"))
                .anySatisfy(p -> assertThat(p).contains("(authType): needs exactly one of"))
                .anySatisfy(p -> assertThat(p).contains("spec.typo: unknown field"));
    }
}
