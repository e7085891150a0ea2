package dev.tasksync.deploy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Structural checks of Dapr resources, which fabric8 does not model: the Dapr CRDs (Component,
 * Resiliency, Configuration, Subscription; field sets as in the CRD schemas of Dapr 1.16,
 * charts/dapr/crds) and the Dapr CLI's Multi-App Run file (dapr.yaml; field names as in the CLI's
 * RunFileConfig). Each method returns readable problems, empty when the resource is fine.
 */
final class DaprResources {

    private static final Pattern DNS_1123 = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern DURATION = Pattern.compile("(\\d+(\\.\\d+)?(ns|us|µs|ms|s|m|h))+");
    private static final Set<String> METADATA = Set.of("name", "namespace", "labels", "annotations");

    private static final Set<String> CONFIGURATION_SPEC = Set.of("accessControl", "api", "appHttpPipeline", "components",
            "features", "httpPipeline", "logging", "metric", "metrics", "mtls", "nameResolution", "secrets", "tracing",
            "wasm", "workflow");

    private static final Set<String> RUN_FILE_SHARED = Set.of("configFilePath", "appProtocol", "apiListenAddresses",
            "enableProfiling", "logLevel", "appMaxConcurrency", "placementHostAddress", "resourcesPath", "resourcesPaths",
            "appSSL", "maxBodySize", "readBufferSize", "enableAppHealthCheck", "appHealthCheckPath",
            "appHealthProbeInterval", "appHealthProbeTimeout", "appHealthThreshold", "enableApiLogging", "runtimePath",
            "env", "daprdLogDestination", "appLogDestination", "schedulerHostAddress");
    private static final Set<String> RUN_FILE_APP_ONLY = Set.of("appID", "appChannelAddress", "appPort", "daprHTTPPort",
            "daprGRPCPort", "profilePort", "command", "metricsPort", "unixDomainSocket", "daprInternalGRPCPort",
            "containerImage", "containerImagePullPolicy", "createService", "appDirPath");

    private DaprResources() {
    }

    static boolean isDapr(JsonNode tree) {
        return tree.path("apiVersion").asString("").startsWith("dapr.io/");
    }

    static boolean isRunFile(JsonNode tree) {
        return !tree.has("apiVersion") && tree.has("apps") && tree.has("version");
    }

    /** Checks any dapr.io resource; an unknown Dapr kind is a problem. */
    static List<String> check(String where, JsonNode r) {
        Problems p = new Problems(where + ": " + r.path("kind").asString("?") + "/" + r.path("metadata").path("name").asString("?"));
        String apiVersion = r.path("apiVersion").asString("");
        String kind = r.path("kind").asString("");
        p.string(r, "metadata.name", r.path("metadata").path("name"), DNS_1123);
        p.only(r.path("metadata"), "metadata", METADATA);
        switch (apiVersion + " " + kind) {
            case "dapr.io/v1alpha1 Component" -> component(p, r);
            case "dapr.io/v1alpha1 Resiliency" -> resiliency(p, r);
            case "dapr.io/v1alpha1 Configuration" -> configuration(p, r);
            case "dapr.io/v1alpha1 Subscription", "dapr.io/v2alpha1 Subscription" -> subscription(p, r, apiVersion);
            default -> p.add("\"" + apiVersion + " " + kind + "\" is not a Dapr kind these checks know "
                    + "(Component, Resiliency, Configuration, Subscription)");
        }
        return p.list;
    }

    private static void component(Problems p, JsonNode r) {
        p.only(r, "", Set.of("apiVersion", "kind", "metadata", "spec", "auth", "scopes"));
        JsonNode spec = p.object(r, "spec");
        p.only(spec, "spec", Set.of("type", "version", "metadata", "ignoreErrors", "initTimeout"));
        p.string(r, "spec.type", spec.path("type"), Pattern.compile("[a-z]+\\.[a-z0-9.]+"));
        p.string(r, "spec.version", spec.path("version"), Pattern.compile("v\\d+(alpha\\d+|beta\\d+)?"));
        boolean secretRefs = false;
        Set<String> names = new LinkedHashSet<>();
        int i = 0;
        for (JsonNode item : spec.path("metadata")) {
            String at = "spec.metadata[" + i++ + "]";
            p.only(item, at, Set.of("name", "value", "secretKeyRef", "envRef"));
            String name = item.path("name").asString("");
            if (name.isEmpty()) {
                p.add(at + ": no name");
            } else if (!names.add(name)) {
                p.add(at + ": \"" + name + "\" is set twice");
            }
            long sources = Set.of("value", "secretKeyRef", "envRef").stream().filter(item::has).count();
            if (sources != 1) {
                p.add(at + " (" + name + "): needs exactly one of value, secretKeyRef, envRef");
            }
            if (item.has("value") && !item.get("value").isString()) {
                p.add(at + " (" + name + "): quote the value (\"" + item.get("value").asString() + "\"): Dapr reads metadata as strings");
            }
            if (item.has("secretKeyRef")) {
                secretRefs = true;
                p.only(item.get("secretKeyRef"), at + ".secretKeyRef", Set.of("name", "key"));
                p.string(r, at + ".secretKeyRef.name", item.get("secretKeyRef").path("name"), null);
            }
        }
        if (r.has("auth")) {
            p.only(r.get("auth"), "auth", Set.of("secretStore"));
            p.string(r, "auth.secretStore", r.get("auth").path("secretStore"), null);
        } else if (secretRefs) {
            p.add("secretKeyRef without auth.secretStore: name the secret store explicitly");
        }
        scopes(p, r);
    }

    private static void resiliency(Problems p, JsonNode r) {
        p.only(r, "", Set.of("apiVersion", "kind", "metadata", "scopes", "spec"));
        JsonNode spec = p.object(r, "spec");
        p.only(spec, "spec", Set.of("policies", "targets"));
        JsonNode policies = p.object(spec, "policies");
        JsonNode targets = p.object(spec, "targets");
        p.only(policies, "spec.policies", Set.of("timeouts", "retries", "circuitBreakers"));
        for (Map.Entry<String, JsonNode> retry : policies.path("retries").properties()) {
            String at = "spec.policies.retries." + retry.getKey();
            JsonNode v = retry.getValue();
            p.only(v, at, Set.of("policy", "duration", "maxInterval", "maxRetries", "matching"));
            String policy = v.path("policy").asString("");
            if (!Set.of("constant", "exponential").contains(policy)) {
                p.add(at + ".policy: \"" + policy + "\" is neither constant nor exponential");
            }
            if (v.has("maxRetries") && !v.get("maxRetries").isIntegralNumber()) {
                p.add(at + ".maxRetries: not an integer");
            }
            for (String d : List.of("duration", "maxInterval")) {
                if (v.has(d)) {
                    p.string(r, at + "." + d, v.get(d), DURATION);
                }
            }
        }
        for (Map.Entry<String, JsonNode> cb : policies.path("circuitBreakers").properties()) {
            p.only(cb.getValue(), "spec.policies.circuitBreakers." + cb.getKey(), Set.of("maxRequests", "interval", "timeout", "trip"));
        }
        for (Map.Entry<String, JsonNode> t : policies.path("timeouts").properties()) {
            p.string(r, "spec.policies.timeouts." + t.getKey(), t.getValue(), DURATION);
        }
        p.only(targets, "spec.targets", Set.of("apps", "actors", "components"));
        for (Map.Entry<String, JsonNode> c : targets.path("components").properties()) {
            String at = "spec.targets.components." + c.getKey();
            p.only(c.getValue(), at, Set.of("inbound", "outbound"));
            for (Map.Entry<String, JsonNode> direction : c.getValue().properties()) {
                policyRefs(p, policies, at + "." + direction.getKey(), direction.getValue());
            }
        }
        for (String group : List.of("apps", "actors")) {
            for (Map.Entry<String, JsonNode> t : targets.path(group).properties()) {
                policyRefs(p, policies, "spec.targets." + group + "." + t.getKey(), t.getValue());
            }
        }
        scopes(p, r);
    }

    private static void policyRefs(Problems p, JsonNode policies, String at, JsonNode target) {
        Map<String, String> kinds = Map.of("retry", "retries", "timeout", "timeouts", "circuitBreaker", "circuitBreakers");
        for (Map.Entry<String, JsonNode> ref : target.properties()) {
            String group = kinds.get(ref.getKey());
            if (group == null) {
                if (!Set.of("circuitBreakerCacheSize", "circuitBreakerScope").contains(ref.getKey())) {
                    p.add(at + "." + ref.getKey() + ": unknown field");
                }
                continue;
            }
            String name = ref.getValue().asString("");
            boolean inlineTimeout = group.equals("timeouts") && DURATION.matcher(name).matches();
            if (!inlineTimeout && !policies.path(group).has(name)) {
                p.add(at + "." + ref.getKey() + ": policy \"" + name + "\" is not defined in spec.policies." + group);
            }
        }
    }

    private static void configuration(Problems p, JsonNode r) {
        p.only(r, "", Set.of("apiVersion", "kind", "metadata", "spec"));
        JsonNode spec = p.object(r, "spec");
        p.only(spec, "spec", CONFIGURATION_SPEC);
        if (spec.has("accessControl")) {
            JsonNode acl = spec.get("accessControl");
            p.only(acl, "spec.accessControl", Set.of("defaultAction", "trustDomain", "policies"));
            String action = acl.path("defaultAction").asString("allow");
            if (!Set.of("allow", "deny").contains(action)) {
                p.add("spec.accessControl.defaultAction: \"" + action + "\" is neither allow nor deny");
            }
        }
        if (spec.has("logging")) {
            p.only(spec.get("logging"), "spec.logging", Set.of("apiLogging"));
            JsonNode api = spec.get("logging").path("apiLogging");
            p.only(api, "spec.logging.apiLogging", Set.of("enabled", "obfuscateURLs", "omitHealthChecks"));
            for (Map.Entry<String, JsonNode> f : api.properties()) {
                if (!f.getValue().isBoolean()) {
                    p.add("spec.logging.apiLogging." + f.getKey() + ": not a boolean");
                }
            }
        }
        if (spec.has("secrets")) {
            int i = 0;
            for (JsonNode scope : spec.get("secrets").path("scopes")) {
                String at = "spec.secrets.scopes[" + i++ + "]";
                p.only(scope, at, Set.of("storeName", "defaultAccess", "allowedSecrets", "deniedSecrets"));
                p.string(r, at + ".storeName", scope.path("storeName"), null);
            }
        }
    }

    private static void subscription(Problems p, JsonNode r, String apiVersion) {
        p.only(r, "", Set.of("apiVersion", "kind", "metadata", "spec", "scopes"));
        JsonNode spec = p.object(r, "spec");
        boolean v2 = apiVersion.endsWith("v2alpha1");
        p.only(spec, "spec", v2 ? Set.of("pubsubname", "topic", "routes", "metadata", "deadLetterTopic", "bulkSubscribe")
                : Set.of("pubsubname", "topic", "route", "metadata", "deadLetterTopic", "bulkSubscribe"));
        p.string(r, "spec.pubsubname", spec.path("pubsubname"), null);
        p.string(r, "spec.topic", spec.path("topic"), null);
        if (v2 ? !spec.path("routes").isObject() : !spec.path("route").isString()) {
            p.add(v2 ? "spec.routes: missing" : "spec.route: missing");
        }
        scopes(p, r);
    }

    private static void scopes(Problems p, JsonNode r) {
        if (!r.has("scopes")) {
            return;
        }
        if (!r.get("scopes").isArray()) {
            p.add("scopes: not a list");
            return;
        }
        for (JsonNode scope : r.get("scopes")) {
            if (!scope.isString() || !DNS_1123.matcher(scope.asString()).matches()) {
                p.add("scopes: \"" + scope + "\" is not an app id");
            }
        }
    }

    /** The Dapr CLI's Multi-App Run file (dapr.yaml). */
    static List<String> checkRunFile(String where, JsonNode f) {
        Problems p = new Problems(where);
        p.only(f, "", Set.of("version", "common", "apps", "name"));
        if (!f.path("version").isIntegralNumber() || f.path("version").asInt() != 1) {
            p.add("version: must be 1");
        }
        if (f.has("common")) {
            p.only(f.get("common"), "common", RUN_FILE_SHARED);
        }
        Set<String> appKeys = new LinkedHashSet<>(RUN_FILE_SHARED);
        appKeys.addAll(RUN_FILE_APP_ONLY);
        if (!f.path("apps").isArray() || f.path("apps").isEmpty()) {
            p.add("apps: needs at least one app");
        }
        int i = 0;
        for (JsonNode app : f.path("apps")) {
            String at = "apps[" + i++ + "]";
            p.only(app, at, appKeys);
            p.string(f, at + ".appID", app.path("appID"), DNS_1123);
            for (String port : List.of("appPort", "daprHTTPPort", "daprGRPCPort", "appHealthProbeInterval",
                    "appHealthProbeTimeout", "appHealthThreshold")) {
                if (app.has(port) && !app.get(port).isIntegralNumber()) {
                    p.add(at + "." + port + ": not an integer");
                }
            }
            if (!app.path("command").isArray() || app.path("command").isEmpty()) {
                p.add(at + ".command: needs the command that starts the app");
            }
            for (Map.Entry<String, JsonNode> env : app.path("env").properties()) {
                if (!env.getValue().isString()) {
                    p.add(at + ".env." + env.getKey() + ": quote the value");
                }
            }
        }
        return p.list;
    }

    /** Collects problems, each prefixed with where they are. */
    private static final class Problems {
        final String prefix;
        final List<String> list = new ArrayList<>();

        Problems(String prefix) {
            this.prefix = prefix;
        }

        void add(String problem) {
            list.add(prefix + ": " + problem);
        }

        void only(JsonNode node, String at, Set<String> allowed) {
            if (node.isMissingNode() || node.isNull()) {
                return;
            }
            if (!node.isObject()) {
                add((at.isEmpty() ? "document" : at) + ": not a mapping");
                return;
            }
            for (String field : node.propertyNames()) {
                if (!allowed.contains(field)) {
                    add((at.isEmpty() ? "" : at + ".") + field + ": unknown field (allowed: "
                            + allowed.stream().sorted().toList() + ")");
                }
            }
        }

        JsonNode object(JsonNode parent, String field) {
            JsonNode node = parent.path(field);
            if (!node.isObject()) {
                add(field + ": missing or not a mapping");
            }
            return node;
        }

        void string(JsonNode root, String at, JsonNode value, Pattern format) {
            if (!value.isString() || value.asString().isBlank()) {
                add(at + ": missing or not a string");
            } else if (format != null && !format.matcher(value.asString()).matches()) {
                add(at + ": \"" + value.asString() + "\" is not of the form " + format.pattern());
            }
        }
    }
}
