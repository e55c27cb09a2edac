package dev.hearth.pool.kubernetes;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KubernetesPoolSpecTest {

    @Test
    void aPodMadeForOneRuntimeHasExactlyItsLimitsAndRequestsNoHigher() {
        KubernetesPoolSpec pool = KubernetesPoolSpec.builder("runner").request("cpu", "100m").request("memory", "1Gi")
                .limit("cpu", "1").limit("memory", "2Gi").build();

        KubernetesPoolSpec sized = pool.sizedFor(new dev.hearth.pool.PodLimits(0.25, 512));

        org.assertj.core.api.Assertions.assertThat(sized.limits()).containsEntry("cpu", "250m")
                .containsEntry("memory", "512Mi");
        org.assertj.core.api.Assertions.assertThat(sized.requests()).as("memory lowered to its new limit")
                .containsEntry("cpu", "100m").containsEntry("memory", "512Mi");
        org.assertj.core.api.Assertions.assertThat(pool.sizedFor(new dev.hearth.pool.PodLimits(0, 4096)).limits())
                .as("cpu not asked: the pool's").containsEntry("cpu", "1").containsEntry("memory", "4096Mi");
        org.assertj.core.api.Assertions.assertThat(pool.sizedFor(null)).isSameAs(pool);
        org.assertj.core.api.Assertions.assertThat(pool.podLimits()).isEqualTo(new dev.hearth.pool.PodLimits(1, 2048));
    }

    @Test
    void rejectsABadQuantityNamingIt() {
        assertThatThrownBy(() -> KubernetesPoolSpec.builder("runner").request("memory", "lots").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requests.memory").hasMessageContaining("'lots'");
    }

    @Test
    void rejectsARequestAboveItsLimit() {
        assertThatThrownBy(() -> KubernetesPoolSpec.builder("runner").request("cpu", "2").limit("cpu", "500m").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requests.cpu (2)").hasMessageContaining("500m");
    }

    @Test
    void rejectsReservedEnv() {
        assertThatThrownBy(() -> KubernetesPoolSpec.builder("runner").env("HEARTH_RUNNER_SECRET", "x").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HEARTH_RUNNER_SECRET");
    }

    @Test
    void rejectsBadPortAndDeadline() {
        assertThatThrownBy(() -> KubernetesPoolSpec.builder("runner").runnerPort(70000).build())
                .hasMessageContaining("70000");
        assertThatThrownBy(() -> KubernetesPoolSpec.builder("runner").activeDeadlineSeconds(0).build())
                .hasMessageContaining("activeDeadlineSeconds");
        assertThatThrownBy(() -> KubernetesPoolSpec.builder(" ").build())
                .hasMessageContaining("runnerImage");
    }

    @Test
    void rejectsBadDriverSettings() {
        assertThatThrownBy(() -> new KubernetesDriverConfig.Breaker(0, 10, 5, java.time.Duration.ofSeconds(1), 1))
                .hasMessageContaining("failureRateThreshold").hasMessageContaining("0.0");
        assertThatThrownBy(() -> KubernetesDriverConfig.of("ns").withLabels(java.util.Map.of("hearth.dev/pool", "x")))
                .hasMessageContaining("hearth.dev/pool");
    }
}
