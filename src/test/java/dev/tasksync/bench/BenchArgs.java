package dev.tasksync.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code --name value} command-line options of the benchmark tools. */
record BenchArgs(Map<String, String> values) {

    static BenchArgs parse(String[] argv) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            if (!argv[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + argv[i]);
            }
            String name = argv[i].substring(2);
            values.put(name, i + 1 < argv.length && !argv[i + 1].startsWith("--") ? argv[++i] : "true");
        }
        return new BenchArgs(Map.copyOf(values));
    }

    String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    int integer(String name, int fallback) {
        String v = values.get(name);
        return v == null ? fallback : Integer.parseInt(v);
    }

    double decimal(String name, double fallback) {
        String v = values.get(name);
        return v == null ? fallback : Double.parseDouble(v);
    }

    /** A comma-separated option; required. */
    List<String> list(String name) {
        String v = values.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return List.of(v.split(","));
    }
}
