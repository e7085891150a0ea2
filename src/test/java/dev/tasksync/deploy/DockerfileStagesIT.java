package dev.tasksync.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.deploy.Dockerfile.Instruction;
import dev.tasksync.deploy.Dockerfile.Stage;
import dev.tasksync.support.Tokens;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * src/main/docker/Dockerfile's stages carried out without a container engine, on the jar this
 * build packaged: the first stage's COPY and RUN (Spring Boot's layer extraction, with this
 * JDK's java, as in the JRE image), then the final stage's COPY --from into WORKDIR, ENV, USER
 * and ENTRYPOINT on a root filesystem. The final stage's base is the registry-free base image
 * (target/base-image.tar, a Java runtime of the same version at the same path as the
 * eclipse-temurin JRE), not the Dockerfile's FROM, which no registry here can provide; the
 * final stage's RUN (groupadd/useradd) is not executed, the base already has user 10001.
 * What this proves: the extraction command works on the real jar, the COPY paths name what it
 * produced (all four layers, nothing missed), and the ENTRYPOINT starts the service from them.
 */
class DockerfileStagesIT {

    private static final Pattern COPY = Pattern.compile("^(?:--from=(\\S+)\\s+)?(\\S+)\\s+(\\S+)$");

    private final Dockerfile dockerfile = Dockerfile.read();
    private final Path work = DeployFiles.root().resolve("target/dockerfile-test");

    @BeforeAll
    static void canRun() {
        RootfsContainer.assumeCanRun();
    }

    /** A stage's filesystem: a directory standing for "/", with the stage's WORKDIR tracked. */
    private static Path inRoot(Path root, String containerPath) {
        Path p = root.resolve(containerPath.replaceFirst("^/+", "")).normalize();
        if (!p.startsWith(root)) {
            throw new AssertionError(containerPath + " escapes the stage's root");
        }
        return p;
    }

    @Test
    void stagesBuildAndTheEntrypointServes() throws Exception {
        ImageTarball.deleteTree(work);
        Map<String, Path> stageRoots = new LinkedHashMap<>();
        List<Stage> stages = dockerfile.stages;

        // Builder stages: COPY from the context, WORKDIR, RUN with /bin/sh -c as the engine would.
        for (Stage stage : stages.subList(0, stages.size() - 1)) {
            String name = stage.name().orElseThrow();
            Path root = work.resolve("stage-" + name);
            Files.createDirectories(root);
            String workdir = "/";
            for (Instruction i : stage.instructions()) {
                switch (i.keyword()) {
                    case "WORKDIR" -> {
                        workdir = Path.of(workdir).resolve(i.args()).toString();
                        Files.createDirectories(inRoot(root, workdir));
                    }
                    case "COPY" -> copy(i, root, workdir, stageRoots);
                    case "RUN" -> runOnHost(i, inRoot(root, workdir));
                    default -> throw new AssertionError(i + ": not expected in a builder stage (extend this test)");
                }
            }
            stageRoots.put(name, root);
        }
        // The extraction produced the layers Spring Boot's layers.idx of the packaged jar names.
        Path layersStage = stageRoots.values().iterator().next();
        try (Stream<Path> found = Files.list(inRoot(layersStage, "/build/extracted"))) {
            assertThat(found.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactlyInAnyOrderElementsOf(layersIdx());
        }

        // Final stage on the registry-free base.
        Stage last = dockerfile.finalStage();
        ImageTarball base = ImageTarball.unpack(DeployFiles.root().resolve("target/base-image.tar"), work.resolve("base"));
        Path root = base.rootfs();
        List<String> env = new ArrayList<>(base.env());
        String workdir = base.containerConfig().path("WorkingDir").asString("/");
        String user = null;
        List<String> entrypoint = null;
        for (Instruction i : last.instructions()) {
            switch (i.keyword()) {
                case "WORKDIR" -> {
                    workdir = Path.of(workdir).resolve(i.args()).toString();
                    Files.createDirectories(inRoot(root, workdir));
                }
                case "COPY" -> copy(i, root, workdir, stageRoots);
                case "ENV" -> Dockerfile.env(new Stage("", java.util.Optional.empty(), List.of(i)))
                        .forEach((k, v) -> {
                            env.removeIf(e -> e.startsWith(k + "="));
                            env.add(k + "=" + v);
                        });
                case "USER" -> user = i.args();
                case "ENTRYPOINT" -> entrypoint = Dockerfile.execForm(i);
                case "RUN" -> assertThat(i.args()).as(i + ": the only RUN of the final stage creates the user")
                        .contains("useradd", "groupadd");
                case "EXPOSE" -> { }
                default -> throw new AssertionError(i + ": not handled by this test (extend it)");
            }
        }
        assertThat(user).isNotNull();
        assertThat(entrypoint).isNotNull();
        String uid = user.split(":")[0];
        assertThat(Files.readAllLines(root.resolve("etc/passwd"))).as("the base has the Dockerfile's user")
                .anySatisfy(l -> assertThat(l.split(":")[2]).isEqualTo(uid));

        try (RootfsContainer c = RootfsContainer.start("dockerfile-run", root, user, workdir, env,
                Map.of("BETTER_AUTH_SECRET", Tokens.SECRET), entrypoint)) {
            System.out.println("Dockerfile layout ready in " + c.awaitReady().toMillis() + " ms");
            assertThat(c.output()).as("JarLauncher started the application's Start-Class")
                    .contains("Starting TasksyncApplication");
            c.process().destroy();
            assertThat(c.process().waitFor(40, TimeUnit.SECONDS)).isTrue();
            assertThat(c.process().exitValue()).as(c.output()).isEqualTo(143);
        }
    }

    private static List<String> layersIdx() throws IOException {
        JibConfig jib = JibConfig.read();
        Path jar = DeployFiles.root().resolve("target/" + jib.properties.get("project.artifactId") + "-"
                + jib.properties.get("project.version") + ".jar");
        try (JarFile file = new JarFile(jar.toFile())) {
            String idx = new String(file.getInputStream(file.getEntry("BOOT-INF/layers.idx")).readAllBytes());
            List<String> layers = new ArrayList<>();
            Matcher m = Pattern.compile("^- \"([^\"]+)\":", Pattern.MULTILINE).matcher(idx);
            while (m.find()) {
                layers.add(m.group(1));
            }
            return layers;
        }
    }

    /** COPY [--from=stage] SRC DEST: a glob from the build context (the repository root) or a directory of a stage. */
    private static void copy(Instruction i, Path root, String workdir, Map<String, Path> stageRoots) throws IOException {
        Matcher m = COPY.matcher(i.args());
        assertThat(m.matches()).as(i + ": COPY [--from=stage] SRC DEST").isTrue();
        Path dest = inRoot(root, Path.of(workdir).resolve(m.group(3)).toString());
        if (m.group(1) == null) {
            Path context = DeployFiles.root();
            PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + m.group(2));
            List<Path> matches;
            try (Stream<Path> files = Files.walk(context.resolve(Path.of(m.group(2)).getParent().toString()), 1)) {
                matches = files.filter(f -> glob.matches(context.relativize(f))).toList();
            }
            assertThat(matches).as(i + ": exactly one file in the build context").hasSize(1);
            Files.createDirectories(dest.getParent());
            Files.copy(matches.get(0), dest, StandardCopyOption.REPLACE_EXISTING);
        } else {
            Path from = stageRoots.get(m.group(1));
            assertThat(from).as(i + ": stage " + m.group(1)).isNotNull();
            Path src = inRoot(from, m.group(2));
            assertThat(src).as(i + ": source in stage " + m.group(1)).isDirectory();
            // COPY of a directory copies its contents.
            try (Stream<Path> walk = Files.walk(src)) {
                for (Path f : walk.toList()) {
                    Path target = dest.resolve(src.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
    }

    /** RUN (shell form) in the stage's working directory, with this JDK's java first on PATH. */
    private static void runOnHost(Instruction i, Path dir) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin");
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", i.args()).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("PATH", java + ":" + System.getenv("PATH"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(i + ": did not finish");
        }
        assertThat(p.exitValue()).as(i + " exit status\n" + out).isZero();
    }
}
