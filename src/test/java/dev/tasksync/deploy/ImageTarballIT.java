package dev.tasksync.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * The image `mvn verify` / `make image` built (target/jib-image.tar, jib:buildTar in
 * pre-integration-test): its config has the entrypoint, user, port and environment that pom.xml
 * declares and k8s/ and the application expect, no secret, and its layers carry exactly the
 * application that `make build` packages. {@link ImageRunIT} then runs it.
 */
class ImageTarballIT {

    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|API_?KEY).*");

    static Stream<Rendered> overlays() {
        return DeploymentDriftTest.overlays();
    }

    private final JibConfig jib = JibConfig.read();
    private final ImageTarball image = ImageTarball.load();

    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        for (String e : image.env()) {
            int eq = e.indexOf('=');
            assertThat(eq).as("image Env entry without '=': " + e).isPositive();
            env.put(e.substring(0, eq), e.substring(eq + 1));
        }
        return env;
    }

    @Test
    void nameTagAndPlatform() {
        assertThat(image.manifest.path("RepoTags").get(0).asString()).as("RepoTags (the name `docker load` gives it)")
                .isEqualTo(jib.required("to/image"))
                .isEqualTo("tasksync:" + jib.properties.get("project.version"));
        assertThat(image.config.path("os").asString()).isEqualTo("linux");
        assertThat(image.config.path("architecture").asString()).isIn("amd64", "arm64");
        assertThat(image.config.path("rootfs").path("diff_ids").size()).as("config diff_ids vs manifest layers")
                .isEqualTo(image.layers.size());
    }

    @Test
    void entrypointRunsTheApplicationWithTheImagesJava() throws IOException {
        String mainClass = jib.required("container/mainClass");
        assertThat(image.entrypoint()).as("Entrypoint (exec form)")
                .containsExactly("java", "-cp", "@/app/jib-classpath-file", mainClass);
        assertThat(image.containerConfig().path("Cmd").isMissingNode() || image.containerConfig().path("Cmd").isNull()
                || image.containerConfig().path("Cmd").isEmpty()).as("no Cmd appended to the entrypoint").isTrue();
        assertThat(mainClass).as("container/mainClass is the @SpringBootApplication class")
                .isEqualTo(dev.tasksync.TasksyncApplication.class.getName());
        assertThat(dev.tasksync.TasksyncApplication.class.isAnnotationPresent(
                org.springframework.boot.autoconfigure.SpringBootApplication.class)).isTrue();

        Path root = image.rootfs();
        assertThat(Files.readString(root.resolve("app/jib-main-class-file")).trim()).isEqualTo(mainClass);
        // "java" is found through the image's PATH: it must lead to the runtime in the image.
        String path = env().get("PATH");
        assertThat(path).as("image PATH").isNotNull();
        Optional<Path> java = Stream.of(path.split(":"))
                .map(dir -> root.resolve(dir.substring(1)).resolve("java"))
                .filter(Files::isExecutable).findFirst();
        assertThat(java).as("an executable java on the image's PATH " + path).isPresent();
        // The runtime is the project's Java major version (what the Dockerfile's JRE image has too).
        String javaVersion = env().get("JAVA_VERSION");
        assertThat(javaVersion).as("JAVA_VERSION of the base image").isNotNull()
                .startsWith(jib.properties.get("java.version") + ".");
        String release = Files.readString(java.get().toRealPath().getParent().getParent().resolve("release"));
        assertThat(release).contains("JAVA_VERSION=\"" + javaVersion + "\"");
    }

    @Test
    void classpathIsExactlyTheApplicationAndItsRuntimeDependencies() throws IOException {
        Path root = image.rootfs();
        String[] classpath = Files.readString(root.resolve("app/jib-classpath-file")).trim().split(":");
        for (String entry : classpath) {
            if (entry.endsWith("/*")) {
                assertThat(root.resolve(entry.substring(1, entry.length() - 2))).isDirectory();
            } else {
                assertThat(root.resolve(entry.substring(1))).as("classpath entry " + entry + " in the image").exists();
            }
        }
        assertThat(classpath).contains("/app/classes", "/app/resources");

        // The same jars as the Spring Boot jar `make build` packages (minus its jar-mode tools).
        Path bootJar = DeployFiles.root().resolve("target/" + jib.properties.get("project.artifactId") + "-"
                + jib.properties.get("project.version") + ".jar");
        assertThat(bootJar).as("the packaged jar (package phase ran before the image)").isRegularFile();
        Set<String> bootLibs = new TreeSet<>();
        try (JarFile jar = new JarFile(bootJar.toFile())) {
            for (Enumeration<? extends ZipEntry> e = jar.entries(); e.hasMoreElements();) {
                String name = e.nextElement().getName();
                if (name.startsWith("BOOT-INF/lib/") && name.endsWith(".jar") && !name.contains("spring-boot-jarmode")) {
                    bootLibs.add(name.substring("BOOT-INF/lib/".length()));
                }
            }
        }
        Set<String> imageLibs;
        try (Stream<Path> libs = Files.list(root.resolve("app/libs"))) {
            imageLibs = libs.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
        assertThat(imageLibs).as("app/libs in the image vs BOOT-INF/lib of " + bootJar.getFileName())
                .containsAll(bootLibs);
        // Jib also copies what Spring Boot's repackager leaves out on purpose: starters (jars without
        // classes) and the optional, compile-time-only configuration processor. Nothing else.
        for (String extra : imageLibs.stream().filter(l -> !bootLibs.contains(l)).toList()) {
            if (extra.startsWith("spring-boot-configuration-processor-")) {
                continue;
            }
            try (JarFile jar = new JarFile(root.resolve("app/libs").resolve(extra).toFile())) {
                assertThat(jar.stream().map(ZipEntry::getName).filter(n -> n.endsWith(".class")).toList())
                        .as("app/libs/" + extra + " is in the image but not in the Spring Boot jar, so it must not carry classes")
                        .isEmpty();
            }
        }

        // Every compiled class and resource of target/classes (the frontend's static files included).
        Path classes = DeployFiles.root().resolve("target/classes");
        try (Stream<Path> walk = Files.walk(classes)) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                String rel = classes.relativize(f).toString();
                Path inImage = root.resolve(rel.endsWith(".class") ? "app/classes" : "app/resources").resolve(rel);
                assertThat(inImage).as("target/classes/" + rel + " in the image").isRegularFile();
                assertThat(Files.mismatch(f, inImage)).as(rel + " identical in the image").isEqualTo(-1L);
            }
        }
    }

    @Test
    void runsAsTheNonRootUserOfTheKubernetesDeployment() throws IOException {
        String user = image.containerConfig().path("User").asString();
        assertThat(user).as("image User").isEqualTo(jib.required("container/user")).matches("\\d+:\\d+");
        long uid = Long.parseLong(user.split(":")[0]);
        long gid = Long.parseLong(user.split(":")[1]);
        assertThat(uid).as("image uid").isNotZero();
        assertThat(gid).as("image gid").isNotZero();
        // Named in the image's /etc/passwd and /etc/group (Java's user.name / user.home come from there).
        Path root = image.rootfs();
        List<String> passwd = Files.readAllLines(root.resolve("etc/passwd"));
        String entry = passwd.stream().filter(l -> l.split(":")[2].equals(Long.toString(uid))).findFirst()
                .orElseThrow(() -> new AssertionError("no /etc/passwd entry for uid " + uid + ": " + passwd));
        assertThat(entry.split(":")[3]).as("primary group of " + entry).isEqualTo(Long.toString(gid));
        assertThat(Files.readAllLines(root.resolve("etc/group"))).anySatisfy(g -> assertThat(g.split(":")[2]).isEqualTo(Long.toString(gid)));
        assertThat(passwd).as("only root has uid 0").filteredOn(l -> l.split(":")[2].equals("0")).hasSize(1)
                .allSatisfy(l -> assertThat(l).startsWith("root:"));

        for (Rendered r : overlays().toList()) {
            PodSecurityContext pod = Objects.requireNonNullElseGet(r.podTemplate().getSpec().getSecurityContext(), PodSecurityContext::new);
            SecurityContext sc = Objects.requireNonNullElseGet(r.app().getSecurityContext(), SecurityContext::new);
            assertThat(Optional.ofNullable(sc.getRunAsUser()).orElse(pod.getRunAsUser())).as(r + ": runAsUser vs image User " + user)
                    .isEqualTo(uid);
            assertThat(Optional.ofNullable(sc.getRunAsGroup()).orElse(pod.getRunAsGroup())).as(r + ": runAsGroup vs image User " + user)
                    .isEqualTo(gid);
        }
    }

    @Test
    void nothingTheUserCanModifyExceptItsHomeAndTmp() {
        String uid = image.containerConfig().path("User").asString().split(":")[0];
        List<String> ownedByUser = new ArrayList<>();
        List<String> setuid = new ArrayList<>();
        List<String> worldWritable = new ArrayList<>();
        for (Path layer : image.layers) {
            for (String line : image.listing(layer)) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.trim().split("\\s+", 6);
                String mode = f[0];
                String owner = f[1].split("/")[0];
                String name = f[5];
                if (owner.equals(uid)) {
                    ownedByUser.add(name);
                }
                if (mode.length() == 10 && (mode.charAt(3) == 's' || mode.charAt(3) == 'S' || mode.charAt(6) == 's'
                        || mode.charAt(6) == 'S')) {
                    setuid.add(name);
                }
                if (mode.charAt(0) != 'l' && mode.charAt(8) == 'w') {
                    worldWritable.add(name);
                }
            }
        }
        assertThat(ownedByUser).as("files owned by the image user " + uid).isNotEmpty()
                .allSatisfy(n -> assertThat(n).startsWith("home/"));
        assertThat(setuid).as("setuid/setgid files").isEmpty();
        assertThat(worldWritable).as("world-writable paths").containsExactly("tmp/");
    }

    @Test
    void tmpIsWritableAndIsTheJvmsTmpdirAsInKubernetes() throws IOException {
        Path tmp = image.rootfs().resolve("tmp");
        assertThat(Files.getPosixFilePermissions(tmp)).as("/tmp permissions")
                .contains(PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
        List<String> tmpEntries = image.layers.stream().flatMap(l -> image.listing(l).stream())
                .filter(l -> l.endsWith(" tmp/")).toList();
        assertThat(tmpEntries).as("/tmp in the layers: 1777 root, like every Linux /tmp").isNotEmpty()
                .allSatisfy(l -> assertThat(l).startsWith("drwxrwxrwt 0/0 "));
        String options = env().get("JAVA_TOOL_OPTIONS");
        assertThat(options).as("image JAVA_TOOL_OPTIONS").isEqualTo(jib.required("container/environment/JAVA_TOOL_OPTIONS"))
                .contains("-Djava.io.tmpdir=/tmp", "-XX:MaxRAMPercentage=", "-XX:+ExitOnOutOfMemoryError");
        // Kubernetes replaces the variable: it must keep every option the image sets (values may differ).
        Set<String> imageOptions = optionNames(options);
        for (Rendered r : overlays().toList()) {
            Container app = r.app();
            String k8s = app.getEnv().stream().filter(e -> e.getName().equals("JAVA_TOOL_OPTIONS")).findFirst()
                    .map(e -> e.getValue()).orElse(null);
            assertThat(k8s).as(r + ": JAVA_TOOL_OPTIONS").isNotNull();
            assertThat(optionNames(k8s)).as(r + ": JAVA_TOOL_OPTIONS options vs the image's (" + options + ")")
                    .containsAll(imageOptions);
            assertThat(app.getVolumeMounts()).as(r + ": writable /tmp").anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
        }
    }

    /** "-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -Dx=y" -> {MaxRAMPercentage, ExitOnOutOfMemoryError, -Dx}. */
    private static Set<String> optionNames(String options) {
        return Stream.of(options.trim().split("\\s+"))
                .map(o -> o.replaceFirst("^-XX:[+-]?", "").replaceFirst("=.*$", ""))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void exposesThePortTheApplicationAndTheDeploymentUse(Rendered r) {
        int appPort = Integer.parseInt(AppDefaults.fromApplicationYaml("server.port").orElseThrow());
        JsonNode ports = image.containerConfig().path("ExposedPorts");
        List<String> exposed = new ArrayList<>();
        ports.propertyNames().forEach(exposed::add);
        assertThat(exposed).as("ExposedPorts").containsExactly(appPort + "/tcp");
        assertThat(jib.list("container/ports")).containsExactly(Integer.toString(appPort));
        assertThat(r.app().getPorts()).as(r + ": containerPort vs image ExposedPorts")
                .anySatisfy(p -> assertThat(p.getContainerPort()).isEqualTo(appPort));
        // kustomize overlays retarget the base's image name; it must be the name the build gives the image.
        assertThat(r.app().getImage()).as(r + ": container image (the overlay's images: entry renames the base's)")
                .matches("(.+/)?" + Pattern.quote(jib.repositoryName()) + "(:[\\w][\\w.-]*)?(@sha256:[0-9a-f]{64})?");
    }

    @Test
    void kubernetesBaseUsesTheImageName() {
        String baseImage = DeployFiles.read(DeployFiles.k8s().resolve("base/statefulset.yaml")).get(0).tree()
                .path("spec").path("template").path("spec").path("containers").get(0).path("image").asString();
        assertThat(baseImage).as("k8s/base/statefulset.yaml image (what the overlays' images: entries rename)")
                .isEqualTo(jib.repositoryName());
    }

    @Test
    void noSecretsInTheImage() throws IOException {
        Map<String, String> env = env();
        assertThat(env.keySet()).as("image Env names").noneMatch(n -> SECRET_NAME.matcher(n).matches());
        assertThat(image.containerConfig().path("Labels").toString()).doesNotContainIgnoringCase("secret");
        // The Makefile's dev-only secret and the tests' secret must not be in any file of the image.
        String makefile = Files.readString(DeployFiles.root().resolve("Makefile"));
        String devSecret = makefile.lines().filter(l -> l.startsWith("DEV_SECRET ?="))
                .map(l -> l.substring("DEV_SECRET ?=".length()).trim()).findFirst()
                .orElseThrow(() -> new AssertionError("Makefile has no DEV_SECRET ?= line"));
        assertThat(devSecret).hasSizeGreaterThan(20);
        List<byte[]> needles = List.of(devSecret.getBytes(StandardCharsets.UTF_8),
                dev.tasksync.support.Tokens.SECRET.getBytes(StandardCharsets.UTF_8));
        Path app = image.rootfs().resolve("app");
        try (Stream<Path> walk = Files.walk(app)) {
            for (Path f : walk.filter(Files::isRegularFile).filter(f -> !f.toString().endsWith(".jar")).toList()) {
                byte[] content = Files.readAllBytes(f);
                for (byte[] needle : needles) {
                    assertThat(indexOf(content, needle)).as(app.relativize(f) + " contains a known secret").isEqualTo(-1);
                }
            }
        }
        // Nor in the config (history, labels, env).
        assertThat(image.config.toString()).doesNotContain(devSecret).doesNotContain(dev.tasksync.support.Tokens.SECRET);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
