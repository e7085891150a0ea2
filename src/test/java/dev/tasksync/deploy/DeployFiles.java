package dev.tasksync.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** The repository's deployment files and a YAML reader that keeps track of where each document came from. */
final class DeployFiles {

    static final YAMLMapper YAML = YAMLMapper.builder().build();

    private DeployFiles() {
    }

    /** One YAML document of a file: {@code index} counts the non-empty documents from 0. */
    record Doc(Path file, int index, JsonNode tree) {

        String where() {
            return rel(file) + (index > 0 ? " (document " + (index + 1) + ")" : "");
        }

        String apiVersion() {
            return tree.path("apiVersion").asString("");
        }

        String kind() {
            return tree.path("kind").asString("");
        }

        String name() {
            return tree.path("metadata").path("name").asString("");
        }

        String id() {
            return kind() + "/" + name();
        }
    }

    /** Surefire runs tests with the project directory as basedir. */
    static Path root() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    }

    static Path k8s() {
        return root().resolve("k8s");
    }

    static Path components() {
        return root().resolve("components");
    }

    static Path daprRunFile() {
        return root().resolve("dapr.yaml");
    }

    static Path applicationYaml() {
        return root().resolve("src/main/resources/application.yaml");
    }

    static String rel(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        return abs.startsWith(root()) ? root().relativize(abs).toString() : abs.toString();
    }

    /** Every *.yaml / *.yml file under k8s/ and components/, and dapr.yaml: all of them must be covered by the tests. */
    static List<Path> allDeploymentYaml() {
        List<Path> files = new ArrayList<>();
        for (Path dir : List.of(k8s(), components())) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.filter(Files::isRegularFile)
                        .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                        .sorted()
                        .forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        files.add(daprRunFile());
        return files;
    }

    static List<Doc> read(Path file) {
        try {
            return parse(file, Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + rel(file), e);
        }
    }

    static List<Doc> parse(Path file, String yaml) {
        List<Doc> docs = new ArrayList<>();
        try (JsonParser parser = YAML.createParser(yaml);
                MappingIterator<JsonNode> it = YAML.readValues(parser, JsonNode.class)) {
            while (it.hasNextValue()) {
                JsonNode tree = it.nextValue();
                if (tree == null || tree.isNull() || tree.isMissingNode() || (tree.isObject() && tree.isEmpty())) {
                    continue;
                }
                if (!tree.isObject()) {
                    throw new IllegalArgumentException(rel(file) + ": a YAML document is not a mapping: " + tree);
                }
                docs.add(new Doc(file, docs.size(), tree));
            }
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw e;
            }
            throw new IllegalArgumentException(rel(file) + ": not valid YAML: " + e.getMessage(), e);
        }
        return docs;
    }

    static ObjectNode single(Path file) {
        List<Doc> docs = read(file);
        if (docs.size() != 1) {
            throw new IllegalArgumentException(rel(file) + ": expected one YAML document, found " + docs.size());
        }
        return (ObjectNode) docs.get(0).tree();
    }
}
