package dev.hearth.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.hearth.gateway.HearthApplication;
import dev.hearth.pool.kubernetes.LeaderElection;
import dev.hearth.pool.kubernetes.harness.KubernetesHarness;
import dev.hearth.runner.testing.TarGz;
import io.kubernetes.client.openapi.models.V1Pod;

/**
 * Two gateway replicas against one (simulated) cluster: exactly one reconciles at a time, the warm pods stay
 * at size for the deployment (not 2 × size), both claim from them, and stopping the leader hands
 * reconciliation over within the Lease's duration.
 */
class KubernetesReplicasIT {

    private static final String SECRET = "k8s-replicas-secret";
    private static final KubernetesHarness HARNESS = KubernetesHarness.builder().namespace("replicas").build();

    @AfterAll
    static void stopCluster() {
        try {
            HARNESS.close();
        } catch (java.util.concurrent.RejectedExecutionException alreadyStopped) {
            // Closing the replicas' contexts disposed the JVM-wide Reactor Netty loops the harness's front
            // server also runs on: it is stopped already.
        }
    }

    private static ConfigurableApplicationContext replica(Path storage) {
        return new SpringApplicationBuilder(HearthApplication.class).run(
                "--server.port=0",
                "--hearth.driver=kubernetes",
                "--hearth.executor.secret=" + SECRET,
                "--hearth.storage-root=" + storage,
                "--hearth.kubernetes.api-server=" + HARNESS.apiClient().getBasePath(),
                "--hearth.kubernetes.namespace=" + HARNESS.namespace(),
                "--hearth.kubernetes.runner-port=" + HARNESS.runnerPort(),
                "--hearth.kubernetes.leader-lease=3s",
                "--hearth.pool-defaults.acquire-timeout=20s",
                "--hearth.pool-defaults.start-timeout=20s",
                "--hearth.pools[0].image=local/shell", "--hearth.pools[0].adapter=exec",
                "--hearth.pools[0].command=sh", "--hearth.pools[0].size=2");
    }

    private static List<V1Pod> warmPods() {
        try {
            return HARNESS.core().listNamespacedPod(HARNESS.namespace()).execute().getItems().stream()
                    .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null)
                    .filter(pod -> "warm".equals(pod.getMetadata().getLabels().get("hearth.dev/state")))
                    .toList();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean leads(ConfigurableApplicationContext replica) {
        return replica.getBean(LeaderElection.class).isLeader();
    }

    private static WebTestClient client(ConfigurableApplicationContext replica) {
        return WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + replica.getEnvironment().getProperty("local.server.port"))
                .responseTimeout(Duration.ofSeconds(30))
                .defaultHeader("Authorization", "Bearer " + SECRET).build();
    }

    @Test
    void oneLeaderKeepsSizeWarmPodsBothReplicasClaimAndLeadershipHandsOver() throws Exception {
        Path storage = Files.createTempDirectory("hearth-k8s-replicas");
        TarGz.builder().file("main.sh", "echo from-pod").writeTo(storage.resolve("f.tar.gz"));
        ConfigurableApplicationContext a = replica(storage);
        ConfigurableApplicationContext b = replica(storage);
        try {
            GatewayITSupport.await("exactly one replica leads", () -> leads(a) ^ leads(b));
            GatewayITSupport.await("size warm pods for the deployment, not 2 × size", () -> warmPods().size() == 2);
            Thread.sleep(1500);
            assertThat(warmPods()).as("still size after more passes of both replicas").hasSize(2);

            for (ConfigurableApplicationContext replica : List.of(a, b)) {
                String id = "rt-" + replica.getEnvironment().getProperty("local.server.port");
                client(replica).post().uri("/v1/runtimes").contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("runtimeId", id, "image", "local/shell", "source", "f.tar.gz",
                                "entrypoint", "main.sh"))
                        .exchange().expectStatus().isCreated();
                client(replica).post().uri("/v1/runtimes/" + id + "/executions").contentType(MediaType.APPLICATION_JSON)
                        .accept(MediaType.APPLICATION_JSON).bodyValue(Map.of())
                        .exchange().expectStatus().isOk().expectBody().jsonPath("$.body").isEqualTo("from-pod\n");
                client(replica).delete().uri("/v1/runtimes/" + id).exchange().expectStatus().isOk();
            }
            GatewayITSupport.await("the leader replaced the claimed pods", () -> warmPods().size() == 2);

            ConfigurableApplicationContext leader = leads(a) ? a : b;
            ConfigurableApplicationContext follower = leader == a ? b : a;
            long stopped = System.nanoTime();
            // The leader stops as it does on shutdown: its election ends and releases the Lease. (Closing the
            // whole context here would also dispose the JVM-wide Reactor Netty resources both replicas share.)
            leader.getBean(LeaderElection.class).close();
            GatewayITSupport.await("the follower takes over", () -> leads(follower));
            assertThat((System.nanoTime() - stopped) / 1_000_000).as("handover within the 3 s lease (ms)")
                    .isLessThanOrEqualTo(5_000);
            GatewayITSupport.await("the new leader keeps size warm pods", () -> warmPods().size() == 2);
        } finally {
            a.close();
            b.close();
        }
    }
}
