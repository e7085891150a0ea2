package dev.tasksync.e2e.support;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kills child processes the harness started if the test JVM exits without stopping them
 * (failed assertion before a finally block, Surefire timeout, Ctrl-C). A SIGKILL of the JVM
 * itself cannot be covered; orphans then show up in {@code pgrep -a daprd}.
 */
public final class ProcessCleanup {

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "e2e-process-cleanup"));
    }

    private ProcessCleanup() {
    }

    public static void register(Process process) {
        LIVE.add(process);
        process.onExit().thenRun(() -> LIVE.remove(process));
    }
}
