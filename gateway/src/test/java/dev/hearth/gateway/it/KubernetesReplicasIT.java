package dev.hearth.gateway.it;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.hearth.pool.kubernetes.harness.KubernetesHarness;
import dev.hearth.runner.testing.TarGz;
import io.kubernetes.client.openapi.models.V1Lease;
import io.kubernetes.client.openapi.models.V1Pod;

/**
 * Two gateway replicas, each its own JVM, against one (simulated) cluster: exactly one reconciles at a time,
 * the warm pods stay at size for the deployment (not 2 × size), both claim from them, and a stopped leader —
 * shut down, or killed without a chance to release anything — hands reconciliation over within the Lease's
 * duration while the pool stays at size.
 */
class KubernetesReplicasIT {

    private static final String SECRET = "k8s-replicas-secret";
    private static final Duration LEASE = Duration.ofSeconds(3);
    private static final String LEASE_NAME = "hearth-reconciler";
    private static KubernetesHarness harness;
    private static Path storage;

    private ReplicaProcess a;
    private ReplicaProcess b;

    @BeforeAll
    static void startCluster() throws Exception {
        harness = KubernetesHarness.builder().namespace("replicas").build();
        storage = Files.createTempDirectory("hearth-k8s-replicas");
        TarGz.builder().file("main.sh", "echo from-pod").writeTo(storage.resolve("f.tar.gz"));
    }

    @AfterAll
    static void stopCluster() {
        harness.close();
    }

    @BeforeEach
    void startReplicas() throws Exception {
        a = replica("replica-a");
        b = replica("replica-b");
        a.awaitReady(Duration.ofSeconds(60));
        b.awaitReady(Duration.ofSeconds(60));
    }

    @AfterEach
    void stopReplicas() throws Exception {
        a.close();
        b.close();
    }

    private static ReplicaProcess replica(String name) {
        return ReplicaProcess.start(name, List.of(
                "--hearth.replica-name=" + name,
                "--hearth.driver=kubernetes",
                "--hearth.executor.secret=" + SECRET,
                "--hearth.storage-root=" + storage,
                "--hearth.kubernetes.api-server=" + harness.apiClient().getBasePath(),
                "--hearth.kubernetes.namespace=" + harness.namespace(),
                "--hearth.kubernetes.runner-port=" + harness.runnerPort(),
                "--hearth.kubernetes.leader-lease=" + LEASE.toSeconds() + "s",
                "--hearth.pool-defaults.acquire-timeout=20s",
                "--hearth.pool-defaults.start-timeout=20s",
                "--hearth.pools[0].image=local/shell", "--hearth.pools[0].adapter=exec",
                "--hearth.pools[0].command=sh", "--hearth.pools[0].size=2"));
    }

    private static List<V1Pod> warmPods() {
        try {
            return harness.core().listNamespacedPod(harness.namespace()).execute().getItems().stream()
                    .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null)
                    .filter(pod -> "warm".equals(pod.getMetadata().getLabels().get("hearth.dev/state")))
                    .toList();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The name of the replica holding the reconciler Lease, or "" when nobody does. */
    private static String leader() {
        try {
            V1Lease lease = new io.kubernetes.client.openapi.apis.CoordinationV1Api(harness.apiClientForAssertions())
                    .readNamespacedLease(LEASE_NAME, harness.namespace()).execute();
            String holder = lease.getSpec().getHolderIdentity();
            return holder == null ? "" : holder.replaceAll("-[0-9a-f]+$", "");
        } catch (Exception notYet) {
            return "";
        }
    }

    private ReplicaProcess byName(String name) {
        return name.equals("replica-a") ? a : b;
    }

    private static int status(HttpResponse<String> response) {
        return response.statusCode();
    }

    private static HttpResponse<String> call(ReplicaProcess replica, String method, String path, String json)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(replica.baseUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + SECRET)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Both leaders-to-be are up: one leads, the pool is at size once (not twice), and both serve runtimes. */
    private void oneLeaderAndBothReplicasServe() throws Exception {
        await("exactly one replica leads").atMost(GatewayITSupport.WAIT).until(() -> !leader().isEmpty());
        await("size warm pods for the deployment, not 2 × size").atMost(GatewayITSupport.WAIT).until(() -> warmPods().size() == 2);
        // Still size after more passes of both replicas: the subject is a window of time.
        await("still size after more passes of both replicas").during(Duration.ofMillis(1500))
                .atMost(Duration.ofSeconds(10)).until(() -> warmPods().size() == 2);
        for (ReplicaProcess replica : List.of(a, b)) {
            String id = "rt-" + replica.port();
            assertThat(status(call(replica, "POST", "/v1/runtimes", "{\"runtimeId\":\"" + id
                    + "\",\"image\":\"local/shell\",\"source\":\"f.tar.gz\",\"entrypoint\":\"main.sh\"}")))
                    .as("create on " + replica.port()).isEqualTo(201);
            HttpResponse<String> execution = call(replica, "POST", "/v1/runtimes/" + id + "/executions", "{}");
            assertThat(status(execution)).as("execute").isEqualTo(200);
            assertThat(execution.body()).as("execution").contains("from-pod");
            assertThat(status(call(replica, "DELETE", "/v1/runtimes/" + id, null))).as("delete").isEqualTo(200);
        }
        await("the leader replaced the claimed pods").atMost(GatewayITSupport.WAIT).until(() -> warmPods().size() == 2);
    }

    /** What ends the leading replica. */
    private interface Stop {
        void stop(ReplicaProcess replica) throws Exception;
    }

    /** Stops the leader with {@code stop}; returns the follower's name once it holds the Lease, and how long that took. */
    private Takeover stopLeader(String how, Stop stop) throws Exception {
        oneLeaderAndBothReplicasServe();
        String leaderName = leader();
        String followerName = leaderName.equals("replica-a") ? "replica-b" : "replica-a";

        long stopped = System.nanoTime();
        stop.stop(byName(leaderName));
        await("the follower takes over").atMost(GatewayITSupport.WAIT).until(() -> leader().equals(followerName));
        long millis = (System.nanoTime() - stopped) / 1_000_000;
        System.out.println("Takeover after " + how + " of " + leaderName + ": " + millis + " ms");
        return new Takeover(followerName, millis);
    }

    private record Takeover(String newLeader, long millis) {
    }

    @Test
    void aLeaderShutDownHandsOverAtOnceAndThePoolStaysAtSize() throws Exception {
        Takeover takeover = stopLeader("a graceful stop (SIGTERM)", ReplicaProcess::terminate);

        assertThat(takeover.millis()).as("handover after a graceful stop (ms), within the %s lease", LEASE)
                .isLessThanOrEqualTo(LEASE.toMillis());
        assertThat(warmPods()).as("warm pods right after the handover").hasSize(2);
        ReplicaProcess survivor = byName(takeover.newLeader());
        assertThat(status(call(survivor, "POST", "/v1/runtimes", "{\"runtimeId\":\"after\","
                + "\"image\":\"local/shell\",\"source\":\"f.tar.gz\",\"entrypoint\":\"main.sh\"}")))
                .as("the survivor still claims").isEqualTo(201);
        assertThat(status(call(survivor, "DELETE", "/v1/runtimes/after", null))).isEqualTo(200);
        await("the new leader refills to size").atMost(GatewayITSupport.WAIT).until(() -> warmPods().size() == 2);
    }

    @Test
    void aKilledLeaderIsReplacedWithinTheLeaseAndThePoolStaysAtSize() throws Exception {
        Takeover takeover = stopLeader("kill -9", ReplicaProcess::kill);

        // The Lease is free once unrenewed for its duration; the follower looks every renew period (lease / 5).
        assertThat(takeover.millis()).as("takeover after kill -9 (ms)")
                .isLessThanOrEqualTo(LEASE.toMillis() + LEASE.toMillis() / 5 + 1000);
        assertThat(warmPods()).as("warm pods after the takeover").hasSize(2);
    }
}
