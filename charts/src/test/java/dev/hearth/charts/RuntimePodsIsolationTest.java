package dev.hearth.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
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
    void ownerConfigMapIsInTheReleaseNamespaceWhenSharingIsAllowed() {
        Map<String, Object> owner = HelmChart.renderAsGiven(Map.of("allowSharedNamespace", true))
                .get("ConfigMap", "hearth-pods-owner");

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
        assertThat(Yamls.list(policy, "spec.policyTypes")).as("policy types").containsExactly("Ingress", "Egress");
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
    void egressReachesTheClusterDnsAndTheInternetButNoPrivateAddress() {
        Map<String, Object> policy = HelmChart.render().only("NetworkPolicy");
        Egress egress = new Egress(Yamls.list(policy, "spec.egress"));

        assertThat(egress.peers("53/UDP")).as("DNS over UDP: the cluster DNS pods only")
                .containsExactly(Map.of("namespaceSelector", Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", "kube-system")),
                        "podSelector", Map.of("matchLabels", Map.of("k8s-app", "kube-dns"))));
        assertThat(egress.peers("53/TCP")).as("DNS over TCP").isEqualTo(egress.peers("53/UDP"));
        for (String internet : List.of("1.1.1.1", "8.8.8.8", "140.82.112.3", "2606:4700:4700::1111", "2a00:1450:4001::200e")) {
            assertThat(egress.allowsAddress(internet, 443)).as("%s:443 (the internet)", internet).isTrue();
            assertThat(egress.allowsAddress(internet, 53)).as("%s:53 (any port)", internet).isTrue();
        }
        Map<String, String> internal = Map.of(
                "10.96.0.1", "the Kubernetes API's Service address", "10.244.1.17", "a pod: Redis, the gateway",
                "172.20.0.10", "a Service", "192.168.49.2", "a node, the kubelet", "100.64.3.1", "a shared-range pod",
                "169.254.169.254", "the cloud metadata endpoint", "fd00:ec2::254", "the IPv6 metadata endpoint",
                "fd12:3456::1", "a unique-local IPv6 pod", "fe80::1", "an IPv6 link-local address");
        internal.forEach((address, what) -> {
            for (int port : List.of(80, 443, 6379, 8080, 9090, 10250)) {
                assertThat(egress.allowsAddress(address, port)).as("%s:%d (%s)", address, port, what).isFalse();
            }
        });
    }

    @Test
    void egressAdmitsTheDestinationsTheOperatorAllows() {
        Map<String, Object> billing = Map.of("to", List.of(Map.of(
                        "namespaceSelector", Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", "billing")),
                        "podSelector", Map.of("matchLabels", Map.of("app", "billing-api")))),
                "ports", List.of(Map.of("protocol", "TCP", "port", 8080)));
        Map<String, Object> database = Map.of("to", List.of(Map.of("ipBlock", Map.of("cidr", "10.20.30.40/32"))),
                "ports", List.of(Map.of("protocol", "TCP", "port", 5432)));
        Map<String, Object> policy = HelmChart.render(Map.of("networkPolicy", Map.of("egress",
                Map.of("extraRules", List.of(billing, database))))).only("NetworkPolicy");
        Egress egress = new Egress(Yamls.list(policy, "spec.egress"));

        assertThat(Yamls.list(policy, "spec.egress")).as("egress rules: DNS, internet, then the operator's")
                .hasSize(4).endsWith(billing, database);
        assertThat(egress.allowsAddress("10.20.30.40", 5432)).as("the allowed database").isTrue();
        assertThat(egress.allowsAddress("10.20.30.40", 22)).as("the allowed database, another port").isFalse();
        assertThat(egress.allowsAddress("10.20.30.41", 5432)).as("its neighbour").isFalse();
        assertThat(egress.peers("8080/TCP")).as("peers on 8080: the billing API")
                .containsExactly(((List<?>) billing.get("to")).get(0));
    }

    @Test
    void internetAndDnsAreConfigurable() {
        Map<String, Object> policy = HelmChart.render(Map.of("networkPolicy", Map.of("egress", Map.of(
                "internet", Map.of("enabled", false),
                "dns", Map.of("to", List.of(Map.of(
                                "namespaceSelector", Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", "openshift-dns")),
                                "podSelector", Map.of("matchLabels", Map.of("dns.operator.openshift.io/daemonset-dns", "default")))),
                        "port", 5353))))).only("NetworkPolicy");
        Egress egress = new Egress(Yamls.list(policy, "spec.egress"));

        assertThat(Yamls.list(policy, "spec.egress")).as("only the DNS rule").hasSize(1);
        assertThat(egress.allowsAddress("1.1.1.1", 443)).as("the internet").isFalse();
        assertThat(egress.peers("5353/UDP")).as("DNS peer")
                .containsExactly(Map.of("namespaceSelector", Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", "openshift-dns")),
                        "podSelector", Map.of("matchLabels", Map.of("dns.operator.openshift.io/daemonset-dns", "default"))));
    }

    @Test
    void exceptedRangesAreConfigurableAndSplitByFamily() {
        Map<String, Object> policy = HelmChart.render(Map.of("networkPolicy", Map.of("egress", Map.of("internet",
                Map.of("except", List.of("10.0.0.0/8", "2600:1f18:abcd::/56")))))).only("NetworkPolicy");
        Egress egress = new Egress(Yamls.list(policy, "spec.egress"));

        assertThat(Yamls.list(policy, "spec.egress[1].to")).as("internet peers").containsExactly(
                Map.of("ipBlock", Map.of("cidr", "0.0.0.0/0", "except", List.of("10.0.0.0/8"))),
                Map.of("ipBlock", Map.of("cidr", "::/0", "except", List.of("2600:1f18:abcd::/56"))));
        assertThat(egress.allowsAddress("2600:1f18:abcd:12::5", 443)).as("a public IPv6 pod range, excepted").isFalse();
        assertThat(egress.allowsAddress("192.168.1.1", 443)).as("no longer excepted").isTrue();
    }

    @Test
    void egressRestrictionCanBeTurnedOff() {
        Map<String, Object> policy = HelmChart.render(Map.of("networkPolicy", Map.of("egress", Map.of("enabled", false))))
                .only("NetworkPolicy");

        assertThat(Yamls.list(policy, "spec.policyTypes")).as("policy types").containsExactly("Ingress");
        assertThat(Yamls.at(policy, "spec.egress")).as("egress rules").isNull();
    }

    @Test
    void networkPolicyCanBeTurnedOff() {
        assertThat(HelmChart.render(Map.of("networkPolicy", Map.of("enabled", false))).ofKind("NetworkPolicy"))
                .as("NetworkPolicies").isEmpty();
    }

    /**
     * What a NetworkPolicy's egress rules let a selected pod reach, as Kubernetes defines it: a connection is allowed
     * when one rule has a peer that matches the destination and (no ports, or) a port that matches.
     */
    private record Egress(List<Object> rules) {

        /** Whether some rule allows TCP to {@code address}:{@code port} through an ipBlock. */
        boolean allowsAddress(String address, int port) {
            InetAddress destination = parse(address);
            return rules.stream().anyMatch(rule -> allowsPort(rule, port, "TCP")
                    && peers(rule).stream().anyMatch(peer -> inBlock(peer, destination)));
        }

        /** The peers of rules that allow {@code <port>/<protocol>}. */
        List<Object> peers(String portAndProtocol) {
            String[] parts = portAndProtocol.split("/");
            return rules.stream().filter(rule -> Yamls.at(rule, "ports") != null
                            && allowsPort(rule, Integer.parseInt(parts[0]), parts[1]))
                    .flatMap(rule -> peers(rule).stream()).toList();
        }

        private static List<Object> peers(Object rule) {
            Object to = Yamls.at(rule, "to");
            return to == null ? List.of() : Yamls.list(rule, "to");
        }

        private static boolean allowsPort(Object rule, int port, String protocol) {
            Object ports = Yamls.at(rule, "ports");
            return ports == null || Yamls.list(rule, "ports").stream().anyMatch(allowed ->
                    String.valueOf(port).equals(Yamls.string(allowed, "port"))
                            && protocol.equals(java.util.Objects.requireNonNullElse(Yamls.string(allowed, "protocol"), "TCP")));
        }

        private static boolean inBlock(Object peer, InetAddress destination) {
            if (Yamls.at(peer, "ipBlock") == null) {
                return false;
            }
            Object except = Yamls.at(peer, "ipBlock.except");
            return contains(Yamls.string(peer, "ipBlock.cidr"), destination) && (except == null
                    || Yamls.list(peer, "ipBlock.except").stream().noneMatch(cidr -> contains(cidr.toString(), destination)));
        }

        private static boolean contains(String cidr, InetAddress address) {
            String[] parts = cidr.split("/");
            byte[] network = parse(parts[0]).getAddress();
            byte[] candidate = address.getAddress();
            if (network.length != candidate.length) {
                return false;
            }
            int bits = Integer.parseInt(parts[1]);
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >> (i % 8);
                if ((network[i / 8] & mask) != (candidate[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }

        private static InetAddress parse(String literal) {
            if (!literal.matches("[0-9a-fA-F:.]+")) {
                throw new AssertionError("not an IP literal: " + literal);
            }
            try {
                return InetAddress.getByName(literal);
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError("not an IP literal: " + literal, e);
            }
        }
    }
}
