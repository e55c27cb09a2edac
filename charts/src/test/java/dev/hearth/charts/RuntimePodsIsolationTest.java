package dev.hearth.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.hearth.pool.kubernetes.Labels;

/** The owner ConfigMap that makes uninstall remove the runtime pods, and the NetworkPolicy around those pods. */
class RuntimePodsIsolationTest {

    @Test
    void ownerConfigMapIsCreatedInTheRuntimeNamespaceAndDeletedOnUninstall() {
        Manifests manifests = HelmChart.render(Map.of("runtimeNamespace", "hearth-runtimes"));
        Map<String, Object> owner = manifests.get("ConfigMap", "hearth-pods-owner");

        assertThat(Yamls.string(owner, "metadata.namespace")).as("owner namespace").isEqualTo("hearth-runtimes");
        assertThat(Yamls.at(owner, "metadata.annotations")).as("no annotations: no helm.sh/resource-policy keep")
                .isNull();
        assertThat(owner.get("immutable")).as("not immutable").isNull();
    }

    @Test
    void ownerConfigMapDefaultsToTheReleaseNamespace() {
        Map<String, Object> owner = HelmChart.render().get("ConfigMap", "hearth-pods-owner");

        assertThat(Yamls.string(owner, "metadata.namespace")).as("owner namespace").isEqualTo(HelmChart.NAMESPACE);
    }

    @Test
    void networkPolicySelectsRuntimePodsAndAdmitsOnlyGatewayPodsOnTheRunnerPort() {
        Manifests manifests = HelmChart.render(Map.of("runtimeNamespace", "hearth-runtimes",
                "kubernetes", Map.of("runnerPort", 9000)));
        Map<String, Object> policy = manifests.only("NetworkPolicy");
        Map<String, Object> deployment = manifests.only("Deployment");

        assertThat(Yamls.string(policy, "metadata.namespace")).as("policy namespace").isEqualTo("hearth-runtimes");
        assertThat(Yamls.at(policy, "spec.podSelector")).as("selects this release's pods with the pool label")
                .isEqualTo(Map.of("matchLabels", Map.of("app.kubernetes.io/instance", HelmChart.RELEASE),
                        "matchExpressions", List.of(Map.of("key", Labels.POOL, "operator", "Exists"))));
        assertThat(Yamls.list(policy, "spec.policyTypes")).as("policy types").containsExactly("Ingress");
        assertThat(Yamls.list(policy, "spec.ingress")).as("one ingress rule").hasSize(1);
        assertThat(Yamls.list(policy, "spec.ingress[0].from")).as("one peer").hasSize(1);
        Map<String, Object> peer = Yamls.map(policy, "spec.ingress[0].from[0]");
        Map<String, Object> gatewayPods = Yamls.map(peer, "podSelector.matchLabels");
        assertThat(Yamls.map(deployment, "spec.template.metadata.labels"))
                .as("gateway pod labels include the peer's selector").containsAllEntriesOf(gatewayPods);
        assertThat(gatewayPods).as("the peer is this release's gateway")
                .isEqualTo(Yamls.map(deployment, "spec.selector.matchLabels"));
        assertThat(Yamls.map(peer, "namespaceSelector.matchLabels")).as("in the release namespace")
                .isEqualTo(Map.of("kubernetes.io/metadata.name", HelmChart.NAMESPACE));
        assertThat(Yamls.list(policy, "spec.ingress[0].ports")).as("only the runner port")
                .containsExactly(Map.of("protocol", "TCP", "port", 9000));
    }

    @Test
    void networkPolicyCanBeTurnedOff() {
        assertThat(HelmChart.render(Map.of("networkPolicy", Map.of("enabled", false))).ofKind("NetworkPolicy"))
                .as("NetworkPolicies").isEmpty();
    }
}
