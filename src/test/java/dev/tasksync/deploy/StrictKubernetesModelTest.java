package dev.tasksync.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The strict parser the drift tests rely on really is strict (else they would pass on anything). */
class StrictKubernetesModelTest {

    private static HasMetadata parse(String yaml) {
        return StrictKubernetesModel.parse("test.yaml", DeployFiles.parse(Path.of("test.yaml"), yaml).get(0).tree());
    }

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: demo}
            spec:
              selector: {matchLabels: {app: demo}}
              template:
                metadata: {labels: {app: demo}}
                spec:
                  containers:
                    - name: demo
                      image: demo:1
                      ports: [{containerPort: PORT}]
                      resources: {limits: {memory: 512Mi}}
                      readinessProbe: {httpGet: {path: /ready, port: http}}
                      EXTRA
            """;

    @Test
    void parsesAValidManifestIntoTheModel() {
        HasMetadata parsed = parse(DEPLOYMENT.replace("PORT", "8005").replace("EXTRA", "imagePullPolicy: Always"));
        assertThat(parsed).isInstanceOf(Deployment.class);
        var container = ((Deployment) parsed).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getPorts().get(0).getContainerPort()).isEqualTo(8005);
        assertThat(container.getResources().getLimits().get("memory").toString()).isEqualTo("512Mi");
        assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    }

    @Test
    void rejectsAnUnknownFieldAndSaysWhere() {
        assertThatThrownBy(() -> parse(DEPLOYMENT.replace("PORT", "8005").replace("EXTRA", "imagePullPolicyy: Always")))
                .hasMessageContaining("test.yaml")
                .hasMessageContaining("Deployment/demo")
                .hasMessageContaining("spec.template.spec.containers[0].imagePullPolicyy")
                .hasMessageContaining("unknown field \"imagePullPolicyy\"");
    }

    @Test
    void rejectsAFieldAtTheWrongLevel() {
        assertThatThrownBy(() -> parse(DEPLOYMENT.replace("PORT", "8005").replace("EXTRA", "replicas: 2")))
                .hasMessageContaining("unknown field \"replicas\"");
    }

    @Test
    void rejectsAQuotedNumberLikeTheApiServer() {
        assertThatThrownBy(() -> parse(DEPLOYMENT.replace("PORT", "\"8005\"").replace("EXTRA", "tty: false")))
                .hasMessageContaining("spec.template.spec.containers[0].ports[0].containerPort");
    }

    @Test
    void rejectsAQuotedBooleanAndAnUnquotedAnnotation() {
        assertThatThrownBy(() -> parse(DEPLOYMENT.replace("PORT", "8005").replace("EXTRA", "tty: \"true\"")))
                .hasMessageContaining("spec.template.spec.containers[0].tty");
        assertThatThrownBy(() -> parse("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: x, annotations: {dapr.io/enabled: true}}
                """)).hasMessageContaining("metadata.annotations");
        assertThatThrownBy(() -> parse(DEPLOYMENT.replace("PORT", "8005").replace("EXTRA", "env: [{name: A, value: 1}]")))
                .hasMessageContaining("spec.template.spec.containers[0].env[0].value");
    }

    @Test
    void acceptsQuantitiesAndIntOrStringsInEitherForm() {
        Deployment parsed = (Deployment) parse(DEPLOYMENT.replace("PORT", "8005").replace("512Mi", "1")
                .replace("EXTRA", "livenessProbe: {httpGet: {path: /live, port: 8005}}"));
        var container = parsed.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getResources().getLimits().get("memory").toString()).isEqualTo("1");
        assertThat(container.getLivenessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(8005);
    }

    @Test
    void rejectsARemovedApiVersion() {
        assertThatThrownBy(() -> parse("apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: x}\n"))
                .hasMessageContaining("policy/v1beta1 PodDisruptionBudget");
    }

    @Test
    void rejectsAnUnknownKind() {
        assertThatThrownBy(() -> parse("apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: x}\n"))
                .hasMessageContaining("not a Kubernetes kind");
    }
}
