package dev.tasksync.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A small kustomize in Java: renders a kustomization directory the way {@code kustomize build}
 * does, for the subset of kustomize the files under k8s/ use. Anything outside that subset fails
 * loudly ("not supported by the test renderer") instead of rendering something else; the real
 * kustomize ({@link KustomizeCli}) is the reference it is compared with in KustomizeRenderTest.
 *
 * <p>Supported, in kustomize's order (api/internal/target/kusttarget_configplugin.go): {@code resources}
 * (files and kustomization directories), {@code patches} (strategic-merge patches by {@code path} or
 * inline {@code patch}, target taken from the patch's kind and name), {@code namespace}, {@code labels}
 * (metadata and, with {@code includeTemplates}, pod templates; never selectors), {@code replicas},
 * {@code images}. The strategic merge knows the merge keys of the lists our patches touch
 * ({@link #MERGE_KEYS}); other lists are replaced whole, as kustomize does for atomic lists.
 */
final class Kustomize {

    private static final Set<String> SUPPORTED_FIELDS = Set.of(
            "apiVersion", "kind", "resources", "namespace", "labels", "images", "replicas", "patches");

    private static final Set<String> CLUSTER_SCOPED = Set.of(
            "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume",
            "StorageClass", "PriorityClass", "IngressClass", "MutatingWebhookConfiguration",
            "ValidatingWebhookConfiguration", "APIService");

    /** Pod template label paths per kind (kustomize's templateLabels field specs). */
    private static final Map<String, List<String>> TEMPLATE_LABEL_PATHS = Map.of(
            "Deployment", List.of("spec/template/metadata/labels"),
            "ReplicaSet", List.of("spec/template/metadata/labels"),
            "DaemonSet", List.of("spec/template/metadata/labels"),
            "StatefulSet", List.of("spec/template/metadata/labels"),
            "ReplicationController", List.of("spec/template/metadata/labels"),
            "Job", List.of("spec/template/metadata/labels"),
            "CronJob", List.of("spec/jobTemplate/metadata/labels", "spec/jobTemplate/spec/template/metadata/labels"));

    private static final Set<String> REPLICA_KINDS = Set.of("Deployment", "ReplicaSet", "StatefulSet", "ReplicationController");

    private static final List<String> IMAGE_PATHS = List.of(
            "spec/containers", "spec/initContainers", "spec/template/spec/containers", "spec/template/spec/initContainers",
            "spec/jobTemplate/spec/template/spec/containers", "spec/jobTemplate/spec/template/spec/initContainers");

    /**
     * Strategic-merge keys of lists, by path from the object root ("[]" = every element). These are
     * the Kubernetes OpenAPI patchMergeKeys of the pod spec lists.
     */
    static final Map<String, String> MERGE_KEYS;

    static {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String pod : List.of("spec/template/spec", "spec", "spec/jobTemplate/spec/template/spec")) {
            for (String containers : List.of("containers", "initContainers")) {
                keys.put(pod + "/" + containers, "name");
                keys.put(pod + "/" + containers + "[]/env", "name");
                keys.put(pod + "/" + containers + "[]/ports", "containerPort");
                keys.put(pod + "/" + containers + "[]/volumeMounts", "mountPath");
                keys.put(pod + "/" + containers + "[]/volumeDevices", "devicePath");
            }
            keys.put(pod + "/volumes", "name");
            keys.put(pod + "/imagePullSecrets", "name");
            keys.put(pod + "/topologySpreadConstraints", "topologyKey");
            keys.put(pod + "/hostAliases", "ip");
        }
        keys.put("spec/ports", "port"); // Service
        MERGE_KEYS = Map.copyOf(keys);
    }

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Kustomize() {
    }

    /** The rendered resources of the kustomization in {@code dir}, in kustomize's input order. */
    static List<ObjectNode> build(Path dir) {
        Path file = dir.resolve("kustomization.yaml");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(DeployFiles.rel(dir) + " has no kustomization.yaml");
        }
        ObjectNode k = DeployFiles.single(file);
        String where = DeployFiles.rel(file);
        checkSupported(where, k);

        List<ObjectNode> resources = new ArrayList<>();
        for (JsonNode entry : k.path("resources")) {
            Path target = dir.resolve(entry.asString()).normalize();
            if (Files.isDirectory(target)) {
                resources.addAll(build(target));
            } else if (Files.isRegularFile(target)) {
                for (DeployFiles.Doc doc : DeployFiles.read(target)) {
                    resources.add((ObjectNode) doc.tree().deepCopy());
                }
            } else {
                throw new IllegalArgumentException(where + ": resource " + entry.asString() + " does not exist");
            }
        }
        checkUnique(where, resources);

        for (JsonNode patchEntry : k.path("patches")) {
            applyPatch(where, dir, patchEntry, resources);
        }
        if (k.hasNonNull("namespace")) {
            setNamespace(k.get("namespace").asString(), resources);
        }
        for (JsonNode label : k.path("labels")) {
            addLabels(where, label, resources);
        }
        for (JsonNode replicas : k.path("replicas")) {
            setReplicas(where, replicas, resources);
        }
        for (JsonNode image : k.path("images")) {
            setImage(where, image, resources);
        }
        return resources;
    }

    static void checkSupported(String where, ObjectNode k) {
        for (String field : k.propertyNames()) {
            if (!SUPPORTED_FIELDS.contains(field)) {
                throw new UnsupportedOperationException(where + ": kustomization field \"" + field
                        + "\" is not supported by the test renderer (src/test/java/dev/tasksync/deploy/Kustomize.java); "
                        + "supported: " + SUPPORTED_FIELDS.stream().sorted().toList());
            }
        }
        String apiVersion = k.path("apiVersion").asString("kustomize.config.k8s.io/v1beta1");
        String kind = k.path("kind").asString("Kustomization");
        if (!apiVersion.equals("kustomize.config.k8s.io/v1beta1") || !kind.equals("Kustomization")) {
            throw new UnsupportedOperationException(where + ": " + apiVersion + " " + kind + " is not a Kustomization");
        }
        for (JsonNode label : k.path("labels")) {
            for (String field : label.propertyNames()) {
                if (!Set.of("pairs", "includeTemplates", "includeSelectors").contains(field)) {
                    throw new UnsupportedOperationException(where + ": labels." + field + " is not supported by the test renderer");
                }
            }
            if (label.path("includeSelectors").asBoolean(false)) {
                throw new UnsupportedOperationException(where + ": labels with includeSelectors: true are not supported by the "
                        + "test renderer (and would change immutable Deployment selectors)");
            }
        }
        for (JsonNode patch : k.path("patches")) {
            for (String field : patch.propertyNames()) {
                if (!Set.of("path", "patch").contains(field)) {
                    throw new UnsupportedOperationException(where + ": patches[]." + field
                            + " is not supported by the test renderer (strategic-merge patches naming their target only)");
                }
            }
        }
        for (JsonNode image : k.path("images")) {
            for (String field : image.propertyNames()) {
                if (!Set.of("name", "newName", "newTag", "digest").contains(field)) {
                    throw new UnsupportedOperationException(where + ": images[]." + field + " is not supported by the test renderer");
                }
            }
        }
    }

    private static String id(JsonNode r) {
        return r.path("apiVersion").asString("") + " " + r.path("kind").asString("") + " "
                + r.path("metadata").path("namespace").asString("") + "/" + r.path("metadata").path("name").asString("");
    }

    private static void checkUnique(String where, List<ObjectNode> resources) {
        Set<String> seen = new LinkedHashSet<>();
        for (ObjectNode r : resources) {
            if (!seen.add(id(r))) {
                throw new IllegalArgumentException(where + ": resource " + id(r) + " is included twice");
            }
        }
    }

    private static String group(String apiVersion) {
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    private static void applyPatch(String where, Path dir, JsonNode entry, List<ObjectNode> resources) {
        List<DeployFiles.Doc> docs = entry.has("path")
                ? DeployFiles.read(dir.resolve(entry.get("path").asString()))
                : DeployFiles.parse(dir.resolve("kustomization.yaml"), entry.path("patch").asString());
        for (DeployFiles.Doc doc : docs) {
            JsonNode patch = doc.tree();
            String kind = patch.path("kind").asString("");
            String name = patch.path("metadata").path("name").asString("");
            String patchGroup = group(patch.path("apiVersion").asString(""));
            List<ObjectNode> targets = resources.stream()
                    .filter(r -> r.path("kind").asString("").equals(kind))
                    .filter(r -> r.path("metadata").path("name").asString("").equals(name))
                    .filter(r -> group(r.path("apiVersion").asString("")).equals(patchGroup))
                    .toList();
            if (targets.size() != 1) {
                throw new IllegalArgumentException(where + ": patch " + doc.where() + " for " + kind + "/" + name + " matches "
                        + targets.size() + " resources (needs exactly one)");
            }
            ObjectNode target = targets.get(0);
            JsonNode merged = merge(doc.where(), target, patch, "");
            target.removeAll();
            target.setAll((ObjectNode) merged);
        }
    }

    /** Strategic merge of {@code patch} into {@code base} (both untouched); {@code path} as in {@link #MERGE_KEYS}. */
    static JsonNode merge(String where, JsonNode base, JsonNode patch, String path) {
        if (patch.isObject()) {
            if (patch.has("$patch") || patch.propertyNames().stream().anyMatch(n -> n.startsWith("$"))) {
                throw new UnsupportedOperationException(where + ": strategic-merge directives ($patch, $setElementOrder, ...) "
                        + "at " + path + " are not supported by the test renderer");
            }
            ObjectNode out = base != null && base.isObject() ? ((ObjectNode) base).deepCopy() : NODES.objectNode();
            for (Map.Entry<String, JsonNode> field : patch.properties()) {
                String childPath = path.isEmpty() ? field.getKey() : path + "/" + field.getKey();
                if (field.getValue().isNull()) {
                    out.remove(field.getKey());
                } else {
                    out.set(field.getKey(), merge(where, out.get(field.getKey()), field.getValue(), childPath));
                }
            }
            return out;
        }
        if (patch.isArray()) {
            String key = MERGE_KEYS.get(path);
            if (key == null || base == null || !base.isArray()) {
                return patch.deepCopy();
            }
            return mergeList(where, (ArrayNode) base, (ArrayNode) patch, path, key);
        }
        return patch.deepCopy();
    }

    /**
     * Lists with a merge key, as kustomize (kyaml, list increase direction "prepend") merges them: the
     * patch's elements first, in the patch's order, each merged into the base element with the same key,
     * then the base elements the patch does not name, in their order.
     */
    private static ArrayNode mergeList(String where, ArrayNode base, ArrayNode patch, String path, String key) {
        Map<String, JsonNode> baseByKey = new LinkedHashMap<>();
        for (JsonNode element : base) {
            baseByKey.put(keyOf(where, element, path, key), element);
        }
        ArrayNode out = NODES.arrayNode();
        Set<String> named = new LinkedHashSet<>();
        for (JsonNode element : patch) {
            String k = keyOf(where, element, path, key);
            named.add(k);
            out.add(merge(where, baseByKey.get(k), element, path + "[]"));
        }
        for (Map.Entry<String, JsonNode> element : baseByKey.entrySet()) {
            if (!named.contains(element.getKey())) {
                out.add(element.getValue().deepCopy());
            }
        }
        return out;
    }

    private static String keyOf(String where, JsonNode element, String path, String key) {
        if (!element.isObject() || !element.hasNonNull(key)) {
            throw new UnsupportedOperationException(where + ": an element of " + path + " has no merge key \"" + key
                    + "\"; the test renderer cannot merge it");
        }
        return element.get(key).asString();
    }

    private static void setNamespace(String namespace, List<ObjectNode> resources) {
        for (ObjectNode r : resources) {
            String kind = r.path("kind").asString("");
            ObjectNode metadata = r.has("metadata") ? (ObjectNode) r.get("metadata") : r.putObject("metadata");
            if (kind.equals("Namespace")) {
                metadata.put("name", namespace);
            } else if (!CLUSTER_SCOPED.contains(kind)) {
                metadata.put("namespace", namespace);
            }
            if (kind.equals("RoleBinding") || kind.equals("ClusterRoleBinding")) {
                throw new UnsupportedOperationException(kind + " subjects' namespaces are not handled by the test renderer");
            }
        }
    }

    private static ObjectNode objectAt(ObjectNode root, String slashPath) {
        ObjectNode node = root;
        for (String part : slashPath.split("/")) {
            JsonNode child = node.get(part);
            node = child != null && child.isObject() ? (ObjectNode) child : node.putObject(part);
        }
        return node;
    }

    private static void addLabels(String where, JsonNode label, List<ObjectNode> resources) {
        boolean templates = label.path("includeTemplates").asBoolean(false);
        for (ObjectNode r : resources) {
            List<String> paths = new ArrayList<>(List.of("metadata/labels"));
            if (templates) {
                paths.addAll(TEMPLATE_LABEL_PATHS.getOrDefault(r.path("kind").asString(""), List.of()));
            }
            for (String path : paths) {
                ObjectNode labels = objectAt(r, path);
                for (Map.Entry<String, JsonNode> pair : label.path("pairs").properties()) {
                    labels.put(pair.getKey(), pair.getValue().asString());
                }
            }
        }
    }

    private static void setReplicas(String where, JsonNode entry, List<ObjectNode> resources) {
        String name = entry.path("name").asString("");
        int matched = 0;
        for (ObjectNode r : resources) {
            if (REPLICA_KINDS.contains(r.path("kind").asString("")) && r.path("metadata").path("name").asString("").equals(name)) {
                objectAt(r, "spec").put("replicas", entry.path("count").asInt());
                matched++;
            }
        }
        if (matched == 0) {
            throw new IllegalArgumentException(where + ": replicas for " + name + " match no workload");
        }
    }

    private static final Pattern IMAGE = Pattern.compile("^(?<name>[^@]+?)(?::(?<tag>[^:/@]+))?(?:@(?<digest>.+))?$");

    private static void setImage(String where, JsonNode entry, List<ObjectNode> resources) {
        String name = entry.path("name").asString("");
        for (ObjectNode r : resources) {
            for (String path : IMAGE_PATHS) {
                JsonNode containers = r.at("/" + path);
                for (JsonNode container : containers) {
                    if (!container.hasNonNull("image")) {
                        continue;
                    }
                    Matcher m = IMAGE.matcher(container.get("image").asString());
                    if (!m.matches() || !m.group("name").equals(name)) {
                        continue;
                    }
                    String newName = entry.path("newName").asString(m.group("name"));
                    String tag = m.group("tag");
                    String digest = m.group("digest");
                    if (entry.hasNonNull("newTag") && entry.hasNonNull("digest")) {
                        tag = entry.get("newTag").asString();
                        digest = entry.get("digest").asString();
                    } else if (entry.hasNonNull("newTag")) {
                        tag = entry.get("newTag").asString();
                        digest = null;
                    } else if (entry.hasNonNull("digest")) {
                        tag = null;
                        digest = entry.get("digest").asString();
                    }
                    ((ObjectNode) container).put("image",
                            newName + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : ""));
                }
            }
        }
    }
}
