package dev.tasksync.deploy;

import java.lang.reflect.Constructor;
import java.lang.reflect.Parameter;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DurationStyle;
import tools.jackson.databind.JsonNode;

/**
 * What the application uses when nothing is set in its environment: src/main/resources/application.yaml
 * first (with its {@code ${ENV:default}} placeholders resolved to the default), then the
 * {@code @DefaultValue} of the {@code @ConfigurationProperties} record component.
 */
final class AppDefaults {

    private static final Pattern PLACEHOLDER = Pattern.compile("^\\$\\{([^:}]+)(?::([^}]*))?}$");
    private static JsonNode applicationYaml;

    private AppDefaults() {
    }

    static synchronized JsonNode applicationYaml() {
        if (applicationYaml == null) {
            applicationYaml = DeployFiles.single(DeployFiles.applicationYaml());
        }
        return applicationYaml;
    }

    /** A property as application.yaml sets it (nested keys), placeholder resolved to its default; empty if unset. */
    static Optional<String> fromApplicationYaml(String property) {
        JsonNode node = applicationYaml();
        for (String part : property.split("\\.")) {
            node = node.path(part);
        }
        if (node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        if (node.isArray()) {
            StringBuilder joined = new StringBuilder();
            node.forEach(v -> joined.append(joined.isEmpty() ? "" : ",").append(v.asString()));
            return Optional.of(joined.toString());
        }
        String value = node.asString();
        Matcher m = PLACEHOLDER.matcher(value);
        return Optional.of(m.matches() ? (m.group(2) == null ? "" : m.group(2)) : value);
    }

    /** The environment variable a {@code ${ENV:default}} placeholder in application.yaml reads, if any. */
    static Optional<String> placeholderVariable(String property) {
        JsonNode node = applicationYaml();
        for (String part : property.split("\\.")) {
            node = node.path(part);
        }
        Matcher m = PLACEHOLDER.matcher(node.asString(""));
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** {@code @DefaultValue}s of a properties record, by kebab-case property name (prefix included). */
    static Map<String, String> recordDefaults(Class<? extends Record> type) {
        String prefix = type.getAnnotation(ConfigurationProperties.class).value();
        RecordComponent[] components = type.getRecordComponents();
        Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        Constructor<?> canonical;
        try {
            canonical = type.getDeclaredConstructor(types);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(type + " has no canonical constructor", e);
        }
        Parameter[] parameters = canonical.getParameters();
        Map<String, String> defaults = new LinkedHashMap<>();
        for (int i = 0; i < components.length; i++) {
            DefaultValue value = parameters[i].getAnnotation(DefaultValue.class);
            defaults.put(prefix + "." + kebab(components[i].getName()), value == null ? null : String.join(",", value.value()));
        }
        return defaults;
    }

    /** application.yaml's value if it sets one, else the record's {@code @DefaultValue}. */
    static String effective(Class<? extends Record> type, String property) {
        Map<String, String> defaults = recordDefaults(type);
        if (!defaults.containsKey(property)) {
            throw new IllegalArgumentException(property + " is not a property of " + type.getName() + ": " + defaults.keySet());
        }
        return fromApplicationYaml(property).orElse(defaults.get(property));
    }

    static Duration duration(String value) {
        return DurationStyle.detectAndParse(value);
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }
}
