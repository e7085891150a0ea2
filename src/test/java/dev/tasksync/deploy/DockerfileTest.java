package dev.tasksync.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.deploy.Dockerfile.Instruction;
import dev.tasksync.deploy.Dockerfile.Stage;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * src/main/docker/Dockerfile (for builds with a container engine, which this repository's CI
 * does not have) must describe the same image as pom.xml's jib configuration, which the image
 * tests build and run: multi-stage with a JRE of the project's Java version last, the same
 * non-root user as k8s/, the application's port, the same JVM options, exec-form entrypoint,
 * no secrets. {@code DockerfileStagesIT} executes its stages' commands on the packaged jar.
 */
class DockerfileTest {

    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|API_?KEY).*");

    private final Dockerfile dockerfile = Dockerfile.read();
    private final JibConfig jib = JibConfig.read();

    @Test
    void buildKitSyntaxAndMultiStage() {
        assertThat(dockerfile.directives).as("parser directive").containsEntry("syntax", "docker/dockerfile:1");
        assertThat(dockerfile.stages).as("stages").hasSizeGreaterThanOrEqualTo(2);
        for (Stage stage : dockerfile.stages.subList(0, dockerfile.stages.size() - 1)) {
            assertThat(stage.name()).as("builder stage FROM " + stage.from() + " is named (COPY --from uses it)").isPresent();
        }
        // Every COPY --from names an earlier stage.
        List<String> names = new ArrayList<>();
        for (Stage stage : dockerfile.stages) {
            for (Instruction copy : stage.all("COPY")) {
                Matcher m = Pattern.compile("--from=(\\S+)").matcher(copy.args());
                if (m.find()) {
                    assertThat(names).as(copy + ": --from an earlier stage").contains(m.group(1));
                }
            }
            stage.name().ifPresent(names::add);
        }
    }

    @Test
    void baseImagesArePinnedJresOfTheProjectsJavaVersion() {
        String java = jib.properties.get("java.version");
        for (Stage stage : dockerfile.stages) {
            assertThat(stage.from()).as("FROM " + stage.from() + ": a pinned tag, never latest")
                    .matches("[a-z0-9./-]+:[0-9][\\w.-]*(@sha256:[0-9a-f]{64})?")
                    .doesNotContain(":latest");
        }
        String runtime = dockerfile.finalStage().from();
        assertThat(runtime).as("final stage FROM: a JRE (no compiler, no build tools) of Java " + java)
                .matches("eclipse-temurin:" + Pattern.quote(java) + "\\.\\d+\\.\\d+_\\d+-jre(-[a-z]+)?(@sha256:[0-9a-f]{64})?");
    }

    @Test
    void sameUserAsTheJibImageAndKubernetes() {
        Stage last = dockerfile.finalStage();
        Instruction user = last.last("USER").orElseThrow(() -> new AssertionError("final stage has no USER: it would run as root"));
        assertThat(user.args()).as(user + " vs pom.xml jib container/user").isEqualTo(jib.required("container/user"));
        String[] ids = user.args().split(":");
        assertThat(Long.parseLong(ids[0])).as("numeric, non-root uid (runAsNonRoot can verify only a numeric user)").isNotZero();
        // USER comes after every RUN of the stage: nothing after it runs as root, and the entrypoint runs as it.
        assertThat(last.instructions().indexOf(user)).as(user + " after the last RUN")
                .isGreaterThan(last.last("RUN").map(last.instructions()::indexOf).orElse(-1));
        // The account created for it has the same ids.
        String run = String.join(" ", last.all("RUN").stream().map(Instruction::args).toList());
        assertThat(run).as("groupadd/useradd in the final stage").contains("--gid " + ids[1]).contains("--uid " + ids[0]);

        for (Rendered r : DeploymentDriftTest.overlays().toList()) {
            var pod = r.podTemplate().getSpec().getSecurityContext();
            var sc = r.app().getSecurityContext();
            long runAsUser = sc.getRunAsUser() != null ? sc.getRunAsUser() : pod.getRunAsUser();
            long runAsGroup = sc.getRunAsGroup() != null ? sc.getRunAsGroup() : pod.getRunAsGroup();
            assertThat(runAsUser + ":" + runAsGroup).as(r + ": runAsUser:runAsGroup vs Dockerfile " + user).isEqualTo(user.args());
        }
    }

    @Test
    void exposesTheApplicationsPort() {
        String port = AppDefaults.fromApplicationYaml("server.port").orElseThrow();
        List<Instruction> expose = dockerfile.finalStage().all("EXPOSE");
        assertThat(expose).as("EXPOSE").hasSize(1);
        assertThat(expose.get(0).args().replace("/tcp", "")).as(expose.get(0) + " vs server.port default and jib ports")
                .isEqualTo(port).isEqualTo(String.join(" ", jib.list("container/ports")));
    }

    @Test
    void entrypointIsExecFormJavaWithTheJibImagesJvmOptions() {
        Stage last = dockerfile.finalStage();
        Instruction entrypoint = last.last("ENTRYPOINT").orElseThrow(() -> new AssertionError("final stage has no ENTRYPOINT"));
        List<String> command = Dockerfile.execForm(entrypoint);
        assertThat(command.get(0)).as(entrypoint + ": the JRE's java from PATH").isEqualTo("java");
        // `extract --launcher` lays out the jar for Spring Boot's launcher, which starts the Start-Class.
        assertThat(command).as(entrypoint.toString()).endsWith("org.springframework.boot.loader.launch.JarLauncher");
        assertThat(last.all("CMD")).as("no CMD appended to the entrypoint").isEmpty();
        Map<String, String> env = Dockerfile.env(last);
        assertThat(env.get("JAVA_TOOL_OPTIONS")).as("ENV JAVA_TOOL_OPTIONS vs pom.xml jib container/environment")
                .isEqualTo(jib.required("container/environment/JAVA_TOOL_OPTIONS"));
        assertThat(last.last("WORKDIR").map(Instruction::args)).as("WORKDIR (JarLauncher runs from the extracted tree)")
                .contains("/app").contains(jib.required("container/workingDirectory"));
    }

    @Test
    void layersStageExtractsWhatTheRuntimeStageCopies() {
        Stage last = dockerfile.finalStage();
        List<String> sources = new ArrayList<>();
        for (Instruction copy : last.all("COPY")) {
            Matcher m = Pattern.compile("^--from=(\\S+)\\s+(\\S+)\\s+(\\S+)$").matcher(copy.args());
            if (!m.matches()) {
                continue;
            }
            Stage from = dockerfile.stage(m.group(1)).orElseThrow();
            String workdir = from.last("WORKDIR").map(Instruction::args).orElse("/");
            Instruction extract = from.all("RUN").stream().filter(r -> r.args().contains("-Djarmode=tools")).findFirst()
                    .orElseThrow(() -> new AssertionError("stage " + m.group(1) + " has no jarmode=tools extract"));
            assertThat(extract.args()).contains("extract", "--layers", "--launcher");
            Matcher dest = Pattern.compile("--destination\\s+(\\S+)").matcher(extract.args());
            assertThat(dest.find()).as(extract + " names its --destination").isTrue();
            String extracted = Path.of(workdir).resolve(dest.group(1)).toString();
            assertThat(m.group(2)).as(copy + " copies from " + extracted).startsWith(extracted + "/");
            sources.add(Path.of(m.group(2)).getFileName().toString());
        }
        // Spring Boot's default layers, each copied in order of how rarely it changes.
        assertThat(sources).containsExactly("dependencies", "spring-boot-loader", "snapshot-dependencies", "application");
    }

    @Test
    void noSecretsBakedIn() throws IOException {
        for (Stage stage : dockerfile.stages) {
            assertThat(Dockerfile.env(stage).keySet()).as("ENV names in stage FROM " + stage.from())
                    .noneMatch(n -> SECRET_NAME.matcher(n).matches());
            for (Instruction arg : stage.all("ARG")) {
                assertThat(arg.args()).as(arg + ": build args end up in the image history").doesNotMatch(SECRET_NAME);
            }
            assertThat(stage.all("ADD")).as("ADD (remote URLs, archives): COPY only").isEmpty();
        }
        assertThat(dockerfile.globalArgs.keySet()).noneMatch(n -> SECRET_NAME.matcher(n).matches());
        String text = Files.readString(Dockerfile.path());
        assertThat(text).doesNotContain(dev.tasksync.support.Tokens.SECRET).doesNotContain("tasksync-dev-secret");
    }

    /** The build context is the repository root; the ignore file lets only the COPYed jar through. */
    @Test
    void dockerignoreSendsOnlyTheJar() throws IOException {
        Path ignore = Dockerfile.path().resolveSibling("Dockerfile.dockerignore");
        assertThat(ignore).as("BuildKit's per-Dockerfile ignore file").isRegularFile();
        List<String> rules = Files.readAllLines(ignore).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertThat(rules).as(DeployFiles.rel(ignore)).first().isEqualTo("*");
        List<String> copied = new ArrayList<>();
        for (Stage stage : dockerfile.stages) {
            for (Instruction copy : stage.all("COPY")) {
                if (!copy.args().startsWith("--from")) {
                    copied.add(copy.args().split("\\s+")[0]);
                }
            }
        }
        assertThat(copied).as("COPY from the build context").containsExactly("target/" + jib.properties.get("project.artifactId") + "-*.jar");
        assertThat(rules.subList(1, rules.size())).as("re-included paths").containsExactly("!" + copied.get(0));
        // The pattern picks the Spring Boot jar and not its ".original" sibling.
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + copied.get(0));
        String jar = "target/" + jib.properties.get("project.artifactId") + "-" + jib.properties.get("project.version") + ".jar";
        assertThat(matcher.matches(Path.of(jar))).isTrue();
        assertThat(matcher.matches(Path.of(jar + ".original"))).isFalse();
    }
}
