package dev.tasksync.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The image as pom.xml's jib-maven-plugin configuration declares it, with {@code ${...}}
 * references to the pom's own properties resolved ({@code project.*} included). What the drift
 * tests compare the Dockerfile, k8s/ and the built tarball against.
 */
final class JibConfig {

    private static final Pattern REF = Pattern.compile("\\$\\{([^}]+)}");

    final Map<String, String> properties = new LinkedHashMap<>();
    private final Element jib;

    private JibConfig(Document pom) {
        Element project = pom.getDocumentElement();
        properties.put("project.version", text(child(project, "version").orElseThrow()));
        properties.put("project.artifactId", text(child(project, "artifactId").orElseThrow()));
        properties.put("project.description", child(project, "description").map(JibConfig::text).orElse(""));
        Path root = DeployFiles.root();
        properties.put("project.basedir", root.toString());
        properties.put("project.build.directory", root.resolve("target").toString());
        child(project, "properties").ifPresent(p -> children(p).forEach(e -> properties.put(e.getTagName(), text(e))));
        Element build = child(project, "build").orElseThrow(() -> new AssertionError("pom.xml has no <build>"));
        Element plugins = child(build, "plugins").orElseThrow();
        jib = children(plugins).stream()
                .filter(p -> child(p, "artifactId").map(JibConfig::text).orElse("").equals("jib-maven-plugin"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("pom.xml <build><plugins> has no jib-maven-plugin"));
    }

    static JibConfig read() {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return new JibConfig(factory.newDocumentBuilder().parse(DeployFiles.root().resolve("pom.xml").toFile()));
        } catch (Exception e) {
            throw new IllegalStateException("cannot read pom.xml", e);
        }
    }

    /** A value with every {@code ${property}} replaced; unknown properties fail the test. */
    String resolve(String value) {
        String current = value;
        for (int depth = 0; depth < 10 && current.contains("${"); depth++) {
            Matcher m = REF.matcher(current);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String name = m.group(1);
                String replacement = properties.get(name);
                if (replacement == null) {
                    throw new AssertionError("pom.xml jib configuration refers to ${" + name + "}, which the pom does not define");
                }
                m.appendReplacement(out, Matcher.quoteReplacement(replacement));
            }
            m.appendTail(out);
            current = out.toString();
        }
        return current;
    }

    /** A configuration value by path below the plugin's {@code <configuration>} ("container/user"). */
    Optional<String> value(String path) {
        return element(path).map(e -> resolve(text(e)));
    }

    String required(String path) {
        return value(path).orElseThrow(() -> new AssertionError("pom.xml jib configuration has no <" + path + ">"));
    }

    /** The values of a list element's children ("container/ports" -> every {@code <port>}). */
    List<String> list(String path) {
        return element(path).map(e -> children(e).stream().map(c -> resolve(text(c))).toList()).orElse(List.of());
    }

    /** A map element ("container/environment", "container/labels"): child tag name -> value. */
    Map<String, String> map(String path) {
        Map<String, String> map = new LinkedHashMap<>();
        element(path).ifPresent(e -> children(e).forEach(c -> map.put(c.getTagName(), resolve(text(c)))));
        return map;
    }

    /** The executions' goal -> phase. */
    Map<String, String> executions() {
        Map<String, String> goals = new LinkedHashMap<>();
        child(jib, "executions").ifPresent(ex -> children(ex).forEach(e -> {
            String phase = child(e, "phase").map(JibConfig::text).orElse("");
            child(e, "goals").ifPresent(g -> children(g).forEach(goal -> goals.put(text(goal), phase)));
        }));
        return goals;
    }

    String version() {
        return child(jib, "version").map(JibConfig::text).map(this::resolve)
                .orElseThrow(() -> new AssertionError("jib-maven-plugin has no pinned <version>"));
    }

    /** "tasksync" of "tasksync:0.1.0-SNAPSHOT" (registry and tag removed). */
    String repositoryName() {
        String image = required("to/image");
        String withoutTag = image.replaceFirst(":[^:/]+$", "");
        return withoutTag.substring(withoutTag.lastIndexOf('/') + 1);
    }

    String tag() {
        String image = required("to/image");
        int colon = image.lastIndexOf(':');
        return colon > image.lastIndexOf('/') ? image.substring(colon + 1) : "latest";
    }

    private Optional<Element> element(String path) {
        Optional<Element> current = child(jib, "configuration");
        for (String part : path.split("/")) {
            current = current.flatMap(e -> child(e, part));
        }
        return current;
    }

    private static Optional<Element> child(Element parent, String name) {
        return children(parent).stream().filter(e -> e.getTagName().equals(name)).findFirst();
    }

    private static List<Element> children(Element parent) {
        List<Element> list = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                list.add(e);
            }
        }
        return list;
    }

    private static String text(Element e) {
        return e.getTextContent().trim();
    }
}
