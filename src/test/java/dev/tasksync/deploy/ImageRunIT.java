package dev.tasksync.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.support.Deliveries;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.WsClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * Runs the built image (target/jib-image.tar) without a container engine: its layers unpacked
 * into a root filesystem, its Entrypoint, Env, WorkingDir and User applied by
 * src/test/image/run-rootfs.sh, which also gives it what the Kubernetes Deployment gives it — a
 * read-only root filesystem with a writable /tmp, no supplementary groups. The application must
 * come up ready, serve a WebSocket client a published task, and stop on SIGTERM; without
 * BETTER_AUTH_SECRET (the image carries none) it must refuse to start.
 */
class ImageRunIT {

    private static ImageTarball image;

    @BeforeAll
    static void rootAndUnshare() {
        RootfsContainer.assumeCanRun();
        image = ImageTarball.load();
    }

    private static RootfsContainer start(String name, Map<String, String> extraEnv) throws IOException {
        JsonNode config = image.containerConfig();
        List<String> command = new ArrayList<>(image.entrypoint());
        config.path("Cmd").forEach(c -> command.add(c.asString()));
        return RootfsContainer.start(name, image.rootfs(), config.path("User").asString(),
                config.path("WorkingDir").asString("/"), image.env(), extraEnv, command);
    }

    private static Map<String, String> status(long pid) throws IOException {
        Map<String, String> status = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            int colon = line.indexOf(':');
            status.put(line.substring(0, colon), line.substring(colon + 1).trim());
        }
        return status;
    }

    @Test
    void startsReadyServesATaskAndStopsOnSigterm() throws Exception {
        try (RootfsContainer c = start("image-run", Map.of("BETTER_AUTH_SECRET", Tokens.SECRET))) {
            Duration ready = c.awaitReady();
            System.out.println("image ready in " + ready.toMillis() + " ms (unpacked rootfs, read-only)");
            assertThat(c.health("/actuator/health/liveness")).as("liveness").isEqualTo(200);

            // It is the image's java, as the image's user, with no supplementary groups, on a read-only root.
            long pid = c.process().pid();
            Map<String, String> status = status(pid);
            String[] user = image.containerConfig().path("User").asString().split(":");
            assertThat(status.get("Uid").split("\\s+")).as("real, effective, saved, fs uid").containsOnly(user[0]);
            assertThat(status.get("Gid").split("\\s+")).as("real, effective, saved, fs gid").containsOnly(user[1]);
            assertThat(status.get("Groups")).as("supplementary groups").isEmpty();
            assertThat(Path.of("/proc/" + pid + "/root").toRealPath()).as("the process's root directory")
                    .isEqualTo(image.rootfs().toRealPath());
            String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ').trim();
            assertThat(cmdline).isEqualTo(String.join(" ", image.entrypoint()));
            List<String> mounts = Files.readAllLines(Path.of("/proc/" + pid + "/mountinfo"));
            assertThat(mounts).as("/ is mounted read-only for the process")
                    .anySatisfy(m -> assertThat(m.split(" ")).satisfies(f -> {
                        assertThat(f[4]).isEqualTo("/");
                        assertThat(f[5]).startsWith("ro");
                    }));
            assertThat(c.output()).as("user name from the image's /etc/passwd")
                    .contains("started by " + Files.readAllLines(image.rootfs().resolve("etc/passwd")).stream()
                            .filter(l -> l.split(":")[2].equals(user[0])).findFirst().orElseThrow().split(":")[0]);

            // A WebSocket client gets the task a (Dapr-style) delivery brings.
            WebTestClient http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + c.port()).build();
            try (WsClient ws = WsClient.connectAs(c.port(), "alice")) {
                String taskId = "image-" + System.nanoTime();
                assertThat(new Deliveries(http).publish(Deliveries.taskEvent("task.created", "alice",
                        Map.of("id", taskId, "title", "from the image test", "status", "pending")))).isEqualTo("SUCCESS");
                JsonNode update = ws.next();
                assertThat(update.path("type").asString()).isEqualTo("task_update");
                assertThat(update.path("task").path("id").asString()).isEqualTo(taskId);
            }

            // SIGTERM, as the kubelet sends it: graceful shutdown, then the JVM exits.
            c.process().destroy();
            assertThat(c.process().waitFor(40, TimeUnit.SECONDS)).as("exited within terminationGracePeriodSeconds after SIGTERM")
                    .isTrue();
            assertThat(c.process().exitValue()).as("exit status after SIGTERM (128 + 15)\n" + c.output()).isEqualTo(143);
            assertThat(c.output()).contains("Graceful shutdown complete");
        }
    }

    @Test
    void refusesToStartWithoutAKeyBecauseTheImageCarriesNone() throws Exception {
        try (RootfsContainer c = start("image-run-no-secret", Map.of())) {
            assertThat(c.process().waitFor(RootfsContainer.STARTUP.toSeconds(), TimeUnit.SECONDS)).as("exits by itself").isTrue();
            assertThat(c.process().exitValue()).as("exit status\n" + c.output()).isNotZero();
            assertThat(c.output()).contains("no token key configured: set BETTER_AUTH_SECRET");
            assertThat(c.health("/actuator/health/readiness")).isEqualTo(-1);
        }
    }
}
