package dev.hearth.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.hearth.pool.kubernetes.KubernetesRbac;
import dev.hearth.pool.kubernetes.KubernetesRbac.Rule;

/**
 * The Role grants exactly {@link KubernetesRbac#RULES}, the driver's API access: adding a call to the driver (and
 * its rule) fails this test until the chart follows. Reading ConfigMaps is narrowed to the owner ConfigMap.
 */
class RbacTest {

    @Test
    void roleGrantsExactlyTheDriversRules() {
        Map<String, Object> role = HelmChart.render().only("Role");

        assertThat(rules(role)).as("the Role's rules, one per API group and resource")
                .containsExactlyInAnyOrderElementsOf(KubernetesRbac.RULES);
    }

    @Test
    void configMapReadsAreNarrowedToTheOwnerConfigMapAndNothingElseIs() {
        Map<String, Object> role = HelmChart.render().only("Role");

        for (Object rule : Yamls.list(role, "rules")) {
            List<Object> resources = Yamls.list(rule, "resources");
            Object names = Yamls.at(rule, "resourceNames");
            if (resources.contains("configmaps")) {
                assertThat(resources).as("configmaps rule alone").containsExactly("configmaps");
                assertThat(names).as("configmaps narrowed to the owner").isEqualTo(List.of("hearth-pods-owner"));
            } else {
                assertThat(names).as("resourceNames of the %s rule", resources).isNull();
            }
        }
    }

    @Test
    void roleAndBindingLiveInTheRuntimeNamespaceAndBindTheGatewaysServiceAccount() {
        Manifests manifests = HelmChart.render(Map.of("runtimeNamespace", "hearth-runtimes"));
        Map<String, Object> role = manifests.only("Role");
        Map<String, Object> binding = manifests.only("RoleBinding");
        Map<String, Object> account = manifests.only("ServiceAccount");

        assertThat(Yamls.string(role, "metadata.namespace")).as("Role namespace").isEqualTo("hearth-runtimes");
        assertThat(Yamls.string(binding, "metadata.namespace")).as("RoleBinding namespace").isEqualTo("hearth-runtimes");
        assertThat(Yamls.string(binding, "roleRef.kind")).as("roleRef kind").isEqualTo("Role");
        assertThat(Yamls.string(binding, "roleRef.name")).as("roleRef name").isEqualTo(Yamls.string(role, "metadata.name"));
        assertThat(Yamls.list(binding, "subjects")).as("subjects").containsExactly(Map.of("kind", "ServiceAccount",
                "name", Yamls.string(account, "metadata.name"), "namespace", HelmChart.NAMESPACE));
        assertThat(Yamls.string(account, "metadata.namespace")).as("ServiceAccount namespace").isEqualTo(HelmChart.NAMESPACE);
        assertThat(Yamls.string(manifests.only("Deployment"), "spec.template.spec.serviceAccountName"))
                .as("the gateway runs as that ServiceAccount").isEqualTo(Yamls.string(account, "metadata.name"));
    }

    @Test
    void nothingClusterWideIsGranted() {
        Manifests manifests = HelmChart.render(Map.of("runtimeNamespace", "hearth-runtimes"));

        assertThat(manifests.ofKind("ClusterRole")).as("ClusterRoles").isEmpty();
        assertThat(manifests.ofKind("ClusterRoleBinding")).as("ClusterRoleBindings").isEmpty();
    }

    @Test
    void runtimePodsInTheReleaseNamespaceAreRefused() {
        for (Map<String, Object> values : List.<Map<String, Object>>of(Map.of(),
                Map.of("runtimeNamespace", HelmChart.NAMESPACE))) {
            assertThatThrownBy(() -> HelmChart.renderAsGiven(values))
                    .as("runtime namespace = release namespace, values %s", values)
                    .hasMessageContaining("runtimeNamespace is the release namespace (" + HelmChart.NAMESPACE + ")")
                    .hasMessageContaining("a PATCH answers with the Secret's data")
                    .hasMessageContaining("allowSharedNamespace=true");
        }
    }

    @Test
    void sharingTheReleaseNamespaceIsAnExplicitChoice() {
        Manifests manifests = HelmChart.renderAsGiven(Map.of("allowSharedNamespace", true));

        assertThat(Yamls.string(manifests.only("Role"), "metadata.namespace")).as("Role namespace")
                .isEqualTo(HelmChart.NAMESPACE);
        assertThat(Yamls.string(manifests.get("Secret", "hearth"), "metadata.namespace"))
                .as("the chart's Secret, within the Role's reach").isEqualTo(HelmChart.NAMESPACE);
    }

    @Test
    void rbacCanBeLeftToTheOperator() {
        Manifests manifests = HelmChart.render(Map.of("rbac", Map.of("create", false),
                "serviceAccount", Map.of("create", false, "name", "hearth-made-by-ops")));

        assertThat(manifests.ofKind("Role")).as("Roles").isEmpty();
        assertThat(manifests.ofKind("RoleBinding")).as("RoleBindings").isEmpty();
        assertThat(manifests.ofKind("ServiceAccount")).as("ServiceAccounts").isEmpty();
        assertThat(Yamls.string(manifests.only("Deployment"), "spec.template.spec.serviceAccountName"))
                .as("service account").isEqualTo("hearth-made-by-ops");
    }

    /** The Role's rules in KubernetesRbac's shape: one per (API group, resource), verbs as a set. */
    private static List<Rule> rules(Map<String, Object> role) {
        Set<Rule> rules = new HashSet<>();
        for (Object rule : Yamls.list(role, "rules")) {
            Set<String> verbs = new HashSet<>();
            Yamls.list(rule, "verbs").forEach(verb -> verbs.add(verb.toString()));
            for (Object group : Yamls.list(rule, "apiGroups")) {
                for (Object resource : Yamls.list(rule, "resources")) {
                    assertThat(rules.add(new Rule(group.toString(), resource.toString(), verbs)))
                            .as("%s/%s granted once", group, resource).isTrue();
                }
            }
        }
        return List.copyOf(rules);
    }
}
