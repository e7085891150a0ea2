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

    /**
     * CPU seconds this process has used so far (all threads), for the orchestrator to tell whether
     * a load tool was the limit of a run: its CPU over the run's wall time, in cores.
     */
    static double cpuSeconds() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long nanos = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
        return nanos < 0 ? -1 : Math.round(nanos / 1e6) / 1000.0;
    }

    /** Blocks until the orchestrator sends {@code go} on stdin (after printing {@code gated}). */
    static void awaitGo(java.io.BufferedReader in) throws java.io.IOException {
        print("gated", "cpu_s", cpuSeconds());
        for (String line; (line = in.readLine()) != null; ) {
            if ("go".equals(line.trim())) {
                return;
            }
        }
        throw new java.io.EOFException("stdin closed before go");
    }
}
