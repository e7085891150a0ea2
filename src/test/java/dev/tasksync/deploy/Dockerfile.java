package dev.tasksync.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * src/main/docker/Dockerfile read the way BuildKit reads it: parser directives, comments,
 * backslash continuations, instructions, stages, and the global ARG defaults that FROM lines
 * may use. Only what the drift tests need; anything this reader does not understand fails.
 */
final class Dockerfile {

    static final Set<String> KNOWN = Set.of("FROM", "ARG", "ENV", "RUN", "COPY", "ADD", "WORKDIR", "USER", "EXPOSE",
            "ENTRYPOINT", "CMD", "LABEL", "HEALTHCHECK", "STOPSIGNAL", "VOLUME", "SHELL", "ONBUILD");
    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}|\\$([A-Za-z_][A-Za-z0-9_]*)");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    record Instruction(String keyword, String args, int line) {
        @Override
        public String toString() {
            return "line " + line + ": " + keyword + " " + args;
        }
    }

    record Stage(String from, Optional<String> name, List<Instruction> instructions) {

        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }

        Optional<Instruction> last(String keyword) {
            List<Instruction> list = all(keyword);
            return list.isEmpty() ? Optional.empty() : Optional.of(list.get(list.size() - 1));
        }
    }

    final Path file;
    final Map<String, String> directives = new LinkedHashMap<>();
    final Map<String, String> globalArgs = new LinkedHashMap<>();
    final List<Stage> stages = new ArrayList<>();

    static Path path() {
        return DeployFiles.root().resolve("src/main/docker/Dockerfile");
    }

    static Dockerfile read() {
        try {
            return new Dockerfile(path(), Files.readAllLines(path()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Dockerfile(Path file, List<String> lines) {
        this.file = file;
        boolean directivesAllowed = true;
        StringBuilder pending = null;
        int start = 0;
        List<Instruction> instructions = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            String trimmed = line.strip();
            if (directivesAllowed) {
                Matcher d = Pattern.compile("^#\\s*([a-zA-Z]+)\\s*=\\s*(\\S+)\\s*$").matcher(trimmed);
                if (d.matches()) {
                    directives.put(d.group(1).toLowerCase(Locale.ROOT), d.group(2));
                    continue;
                }
                directivesAllowed = false;
            }
            if (pending == null && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
                continue;
            }
            if (pending != null && trimmed.startsWith("#")) {
                continue; // comment lines inside a continued instruction are dropped
            }
            if (pending == null) {
                pending = new StringBuilder();
                start = n + 1;
            }
            if (trimmed.endsWith("\\")) {
                pending.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            pending.append(trimmed);
            String text = pending.toString().strip();
            pending = null;
            int space = text.indexOf(' ');
            String keyword = (space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT);
            String args = space < 0 ? "" : text.substring(space + 1).strip();
            if (!KNOWN.contains(keyword)) {
                throw new AssertionError(DeployFiles.rel(file) + ":" + start + ": unknown instruction " + keyword);
            }
            instructions.add(new Instruction(keyword, args, start));
        }
        if (pending != null) {
            throw new AssertionError(DeployFiles.rel(file) + ":" + start + ": continuation at end of file");
        }
        List<Instruction> current = null;
        for (Instruction i : instructions) {
            if (i.keyword().equals("FROM")) {
                String[] parts = i.args().split("\\s+");
                Optional<String> name = Optional.empty();
                List<String> words = new ArrayList<>();
                for (String p : parts) {
                    if (!p.startsWith("--")) {
                        words.add(p);
                    }
                }
                if (words.size() == 3 && words.get(1).equalsIgnoreCase("AS")) {
                    name = Optional.of(words.get(2));
                } else if (words.size() != 1) {
                    throw new AssertionError(i + ": expected FROM image [AS name]");
                }
                current = new ArrayList<>();
                stages.add(new Stage(expand(words.get(0), globalArgs), name, current));
            } else if (current == null) {
                if (!i.keyword().equals("ARG")) {
                    throw new AssertionError(i + ": only ARG may come before the first FROM");
                }
                String[] kv = i.args().split("=", 2);
                globalArgs.put(kv[0].strip(), kv.length > 1 ? unquote(kv[1].strip()) : "");
            } else {
                current.add(i);
            }
        }
    }

    Stage finalStage() {
        if (stages.isEmpty()) {
            throw new AssertionError(DeployFiles.rel(file) + " has no FROM");
        }
        return stages.get(stages.size() - 1);
    }

    Optional<Stage> stage(String name) {
        return stages.stream().filter(s -> s.name().map(name::equals).orElse(false)).findFirst();
    }

    /** ENV of a stage: {@code ENV K=V K2="V 2"} and the legacy {@code ENV K V}. */
    static Map<String, String> env(Stage stage) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Instruction i : stage.all("ENV")) {
            Matcher m = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S+)").matcher(i.args());
            boolean any = false;
            while (m.find()) {
                env.put(m.group(1), unquote(m.group(2)));
                any = true;
            }
            if (!any) {
                String[] kv = i.args().split("\\s+", 2);
                env.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        return env;
    }

    /** An exec-form (JSON array) ENTRYPOINT/CMD; fails for the shell form. */
    static List<String> execForm(Instruction i) {
        if (!i.args().startsWith("[")) {
            throw new AssertionError(i + ": not exec form (a JSON array): signals would go to a shell, not java");
        }
        JsonNode array = JSON.readTree(i.args());
        List<String> list = new ArrayList<>();
        array.forEach(e -> {
            if (!e.isString()) {
                throw new AssertionError(i + ": exec form must be an array of strings");
            }
            list.add(e.asString());
        });
        return list;
    }

    static String expand(String value, Map<String, String> vars) {
        Matcher m = VAR.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            if (!vars.containsKey(name)) {
                throw new AssertionError("Dockerfile uses $" + name + " with no ARG default");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(vars.get(name)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            return v.substring(1, v.length() - 1).replace("\\\"", "\"");
        }
        return v;
    }
}
