package dev.tasksync.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.cfg.MapperConfig;
import tools.jackson.databind.deser.std.StdDeserializer;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.introspect.Annotated;
import tools.jackson.databind.introspect.JacksonAnnotationIntrospector;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;

/**
 * Parses Kubernetes manifests into the fabric8 model classes the way the API server's strict
 * decoding sees them: an unknown or misspelt field, or a value of the wrong type, is an error.
 *
 * <p>Every fabric8 model class has a {@code @JsonAnySetter} that would silently keep unknown fields
 * in {@code additionalProperties} (and fabric8's {@code UnmatchedFieldTypeModule} puts mistyped values
 * there too), so {@code FAIL_ON_UNKNOWN_PROPERTIES} alone catches nothing. Here the any-setters are
 * switched off, unknown properties fail, and scalars are not coerced: {@code containerPort: "8005"},
 * {@code readOnlyRootFilesystem: "true"} or an unquoted {@code dapr.io/enabled: true} annotation are
 * refused, as the API server refuses them.
 *
 * <p>The kinds are listed explicitly ({@link #KINDS}): a manifest of any other kind or API version
 * (a removed one such as {@code policy/v1beta1}, a typo) fails until it is added here.
 */
final class StrictKubernetesModel {

    /** Thrown with a message that names the file, the object and the field. */
    static final class ManifestException extends RuntimeException {
        ManifestException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final class NoAnySetter extends JacksonAnnotationIntrospector {
        private static final long serialVersionUID = 1L;

        @Override
        public Boolean hasAnySetter(MapperConfig<?> config, Annotated a) {
            return null;
        }
    }

    /** apiVersion + kind of every Kubernetes kind the deployment may contain. */
    static final Map<String, Class<? extends HasMetadata>> KINDS = List.of(
                    Namespace.class, ServiceAccount.class, ConfigMap.class, Secret.class, Service.class,
                    Deployment.class, StatefulSet.class, PodDisruptionBudget.class, HorizontalPodAutoscaler.class,
                    NetworkPolicy.class, Ingress.class, HTTPRoute.class, Role.class, RoleBinding.class)
            .stream().collect(Collectors.toUnmodifiableMap(
                    type -> HasMetadata.getApiVersion(type) + " " + HasMetadata.getKind(type), Function.identity()));

    /** Accepts only the given JSON token kinds; null stays null. */
    private static final class StrictScalar<T> extends StdDeserializer<T> {
        private final JsonToken[] accepted;
        private final Function<JsonParser, T> read;

        StrictScalar(Class<T> type, Function<JsonParser, T> read, JsonToken... accepted) {
            super(type);
            this.read = read;
            this.accepted = accepted;
        }

        @Override
        @SuppressWarnings("unchecked")
        public T deserialize(JsonParser p, DeserializationContext ctxt) {
            for (JsonToken token : accepted) {
                if (p.currentToken() == token) {
                    return read.apply(p);
                }
            }
            if (p.currentToken() == null || !p.currentToken().isScalarValue()) {
                return (T) ctxt.handleUnexpectedToken(handledType(), p);
            }
            String got = switch (p.currentToken()) {
                case VALUE_STRING -> "the string \"" + p.getString() + "\"";
                case VALUE_TRUE, VALUE_FALSE -> "the boolean " + p.getString();
                default -> "the number " + p.getString();
            };
            String hint = handledType() == String.class ? "quote it: \"" + p.getString() + "\"" : "write it without quotes";
            return (T) ctxt.reportInputMismatch(handledType(), "expected %s, got %s (the API server refuses it; %s)",
                    handledType() == String.class ? "a string" : handledType() == Integer.class ? "an integer"
                            : "a " + handledType().getSimpleName().toLowerCase(), got, hint);
        }
    }

    private static SimpleModule strictScalars() {
        return new SimpleModule("tasksync-strict-scalars")
                .addDeserializer(String.class, new StrictScalar<>(String.class, JsonParser::getString, JsonToken.VALUE_STRING))
                .addDeserializer(Integer.class, new StrictScalar<>(Integer.class, JsonParser::getIntValue, JsonToken.VALUE_NUMBER_INT))
                .addDeserializer(Long.class, new StrictScalar<>(Long.class, JsonParser::getLongValue, JsonToken.VALUE_NUMBER_INT))
                .addDeserializer(Boolean.class, new StrictScalar<>(Boolean.class, JsonParser::getBooleanValue,
                        JsonToken.VALUE_TRUE, JsonToken.VALUE_FALSE));
    }

    private static final class StrictSerialization extends KubernetesSerialization {
        StrictSerialization() {
            super(JsonMapper.builder().build(), false);
            // Put mistyped values nowhere (only inside templates, which we never mark): they fail instead.
            getUnmatchedFieldTypeModule().setRestrictToTemplates(true);
            getUnmatchedFieldTypeModule().setLogWarnings(false);
        }

        @Override
        protected ObjectMapper configureMapper(ObjectMapper mapper) {
            return super.configureMapper(mapper).rebuild()
                    .annotationIntrospector(new NoAnySetter())
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                    .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                    // Registered after fabric8's GoCompatibilityModule, so these win (it accepts "8005" for ints).
                    .addModule(strictScalars())
                    .build();
        }
    }

    private static final KubernetesSerialization SERIALIZATION = new StrictSerialization();

    static {
        KINDS.values().forEach(SERIALIZATION::registerKubernetesResource);
    }

    private StrictKubernetesModel() {
    }

    /** The fabric8 class for a listed kind, or empty. */
    static Optional<Class<? extends HasMetadata>> modelClass(String apiVersion, String kind) {
        return Optional.ofNullable(KINDS.get(apiVersion + " " + kind));
    }

    /** Parses a complete manifest; fails for kinds fabric8 does not model. */
    static HasMetadata parse(String where, JsonNode tree) {
        String apiVersion = tree.path("apiVersion").asString("");
        String kind = tree.path("kind").asString("");
        Class<? extends HasMetadata> type = modelClass(apiVersion, kind).orElseThrow(() -> new ManifestException(
                where + ": \"" + apiVersion + " " + kind + "\" is not a Kubernetes kind the drift tests know (wrong or "
                        + "removed apiVersion, misspelt kind?). Known: " + KINDS.keySet().stream().sorted().toList()
                        + "; a new kind goes into StrictKubernetesModel.KINDS", null));
        return parse(where, tree, type);
    }

    /** Parses a tree (also a partial object, such as a kustomize patch) into the given model class. */
    static <T> T parse(String where, JsonNode tree, Class<T> type) {
        try {
            return SERIALIZATION.convertValue(tree, type);
        } catch (RuntimeException e) {
            JacksonException cause = find(e);
            String id = tree.path("kind").asString(type.getSimpleName()) + "/" + tree.path("metadata").path("name").asString("?");
            String name = where.endsWith(id) ? "" : id + ": ";
            if (cause == null) {
                throw new ManifestException(where + ": " + name + "does not parse as " + type.getName() + ": " + e, e);
            }
            String field = path(cause);
            String problem;
            if (cause instanceof UnrecognizedPropertyException unknown) {
                String known = unknown.getKnownPropertyIds() == null ? "" : unknown.getKnownPropertyIds().stream()
                        .map(String::valueOf).sorted().collect(Collectors.joining(", "));
                problem = "unknown field \"" + unknown.getPropertyName() + "\" (" + unknown.getReferringClass().getSimpleName()
                        + " has: " + known + ")";
            } else {
                problem = cause.getOriginalMessage().lines().findFirst().orElse("");
            }
            throw new ManifestException(where + ": " + name + (field.isEmpty() ? "" : field + ": ") + problem, e);
        }
    }

    private static JacksonException find(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JacksonException j) {
                return j;
            }
        }
        return null;
    }

    private static String path(JacksonException e) {
        StringBuilder out = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                out.append(out.isEmpty() ? "" : ".").append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.toString();
    }
}
