package dev.tasksync.bench;

/** One JSON object per stdout line, read by the orchestrator (bench.py). */
final class Out {

    private Out() {
    }

    /** {@code print("ready", "connected", 10)} → {@code {"event":"ready","connected":10}}. */
    static synchronized void print(String event, Object... pairs) {
        StringBuilder sb = new StringBuilder("{\"event\":\"").append(event).append('"');
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            sb.append(",\"").append(pairs[i]).append("\":");
            Object v = pairs[i + 1];
            if (v instanceof Number || v instanceof Boolean) {
                sb.append(v);
            } else {
                sb.append('"').append(String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        System.out.println(sb.append('}'));
        System.out.flush();
    }
}
