package dev.hearth.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.google.gson.Gson;
import com.google.gson.JsonElement;

import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;

/**
 * Every rendered object is valid against the Kubernetes API's own schema, as the official Java client's models
 * (generated from the API's OpenAPI document) check it: no unknown or misspelt field anywhere in the tree, every
 * required field present. The Prometheus Operator's kinds have no model here and are only named.
 */
class ManifestSchemaTest {

    /** kind → the model's validation, which walks the whole object. */
    private static final Map<String, Validation> MODELS = Map.of(
            "Deployment", V1Deployment::validateJsonElement,
            "Service", V1Service::validateJsonElement,
            "ConfigMap", V1ConfigMap::validateJsonElement,
            "Secret", V1Secret::validateJsonElement,
            "ServiceAccount", V1ServiceAccount::validateJsonElement,
            "Role", V1Role::validateJsonElement,
            "RoleBinding", V1RoleBinding::validateJsonElement,
            "NetworkPolicy", V1NetworkPolicy::validateJsonElement,
            "PodDisruptionBudget", V1PodDisruptionBudget::validateJsonElement);
    private static final Set<String> CUSTOM_KINDS = Set.of("ServiceMonitor", "PrometheusRule");

    @FunctionalInterface
    private interface Validation {
        void validate(JsonElement json) throws IOException;
    }

    static List<Map<String, Object>> variations() {
        return List.of(
                Map.of(),
                Map.of("replicaCount", 3,
                        "runtimeNamespace", "hearth-runtimes",
                        "redis", Map.of("existingSecret", "redis-creds"),
                        "executor", Map.of("existingSecret", "opr"),
                        "kubernetes", Map.of("podSecretKey", "k"),
                        "pools", List.of(Map.of("image", "node:22-slim", "kubernetes", Map.of(
                                "nodeSelector", Map.of("kubernetes.io/arch", "amd64"), "runtimeClassName", "gvisor")))),
                Map.of("podDisruptionBudget", Map.of("enabled", true, "minAvailable", 1),
                        "preStopSleepSeconds", 5,
                        "storage", Map.of("existingClaim", "sources", "readOnly", true),
                        "imagePullSecrets", List.of(Map.of("name", "regcred")),
                        "extraEnv", List.of(Map.of("name", "EXTRA", "value", "1")),
                        "topologySpreadConstraints", List.of(Map.of("maxSkew", 1, "topologyKey", "kubernetes.io/hostname",
                                "whenUnsatisfiable", "ScheduleAnyway", "labelSelector", Map.of("matchLabels",
                                        Map.of("app.kubernetes.io/name", "hearth"))))),
                Map.of("monitoring", Map.of("serviceMonitor", Map.of("enabled", true),
                        "prometheusRule", Map.of("enabled", true))));
    }

    @ParameterizedTest
    @MethodSource("variations")
    void everyObjectIsValidForTheKubernetesApi(Map<String, Object> values) {
        Gson gson = new Gson();
        for (Map<String, Object> manifest : HelmChart.render(values).all()) {
            String kind = String.valueOf(manifest.get("kind"));
            String name = kind + "/" + Yamls.string(manifest, "metadata.name");
            if (CUSTOM_KINDS.contains(kind)) {
                assertThat(Yamls.string(manifest, "apiVersion")).as("apiVersion of %s", name).isEqualTo("monitoring.coreos.com/v1");
                continue;
            }
            assertThat(MODELS).as("a model for %s", name).containsKey(kind);
            JsonElement json = gson.toJsonTree(manifest);
            assertThatCode(() -> MODELS.get(kind).validate(json)).as("%s against the API schema", name)
                    .doesNotThrowAnyException();
        }
    }
}
