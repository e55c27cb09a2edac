package dev.hearth.pool.kubernetes;

import java.util.List;
import java.util.Set;

/**
 * Every Kubernetes API access the driver makes, in the namespace of its pods: the Helm chart's Role grants
 * exactly these rules, and the test harness answers any other call of the code under test with 403, as an API
 * server enforcing that Role would. Adding a call to the driver therefore means adding its rule here, which
 * the chart test then demands of the chart.
 */
public final class KubernetesRbac {

    /** One RBAC rule: {@code verbs} on {@code resource} of {@code apiGroup} ({@code ""} is the core group). */
    public record Rule(String apiGroup, String resource, Set<String> verbs) {
        public Rule {
            verbs = Set.copyOf(verbs);
        }

        public boolean allows(String group, String resourceName, String verb) {
            return apiGroup.equals(group) && resource.equals(resourceName) && verbs.contains(verb);
        }
    }

    public static final List<Rule> RULES = List.of(
            // Informers list and watch; a claim patches the state label; reconciliation creates and deletes;
            // a claimer reads the pod once when its informer is behind.
            new Rule("", "pods", Set.of("create", "get", "list", "watch", "delete", "patch")),
            // Each pod's Secret (PodSecrets): created before the pod, handed over to it by a patch, deleted when the
            // pod could not be created. Never read for its value (every replica derives it); the patch's answer does
            // carry the data, so `patch` amounts to read: give the runtime pods a namespace of their own.
            // The leader also lists them, to delete those whose pod is gone (SecretSweeper).
            new Rule("", "secrets", Set.of("create", "patch", "delete", "list")),
            // Size-0 pools: one Job per runtime, deleted with it; read back when its creation answered 409.
            new Rule("batch", "jobs", Set.of("create", "get", "delete")),
            // Leader election of the reconciler.
            new Rule("coordination.k8s.io", "leases", Set.of("get", "create", "update")),
            // The owner ConfigMap's uid, read once at start (the chart narrows this to that one name).
            new Rule("", "configmaps", Set.of("get")));

    private KubernetesRbac() {
    }

    public static boolean allows(String group, String resource, String verb) {
        return RULES.stream().anyMatch(rule -> rule.allows(group, resource, verb));
    }
}
