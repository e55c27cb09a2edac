package dev.hearth.pool.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.hearth.pool.kubernetes.harness.KubernetesHarness;

class LeaderElectionIT {

    static final Duration LEASE = Duration.ofSeconds(2);
    @RegisterExtension
    static final KubernetesHarness harness = KubernetesHarness.builder().build();
    static final KubernetesApi api = new KubernetesApi(harness.apiClient(), TestDrivers.config(harness));

    static LeaderElection elector(String lease, String identity) {
        return new LeaderElection(api, new LeaderElection.Settings(harness.namespace(), lease, identity, LEASE,
                Duration.ofMillis(1500), Duration.ofMillis(200))).start();
    }

    @Test
    void ofTwoElectorsOnOneLeaseExactlyOneLeads() throws InterruptedException {
        try (LeaderElection a = elector("one-leader", "replica-a"); LeaderElection b = elector("one-leader", "replica-b")) {
            Eventually.await("a leader", Duration.ofSeconds(5), () -> a.isLeader() || b.isLeader());
            for (int i = 0; i < 30; i++) {
                assertThat(a.isLeader() ^ b.isLeader()).as("exactly one leads, sample " + i).isTrue();
                Thread.sleep(50);
            }
        }
    }

    @Test
    void closingTheLeaderHandsOverWithinTheLeaseDuration() {
        LeaderElection a = elector("handover", "replica-a");
        Eventually.await("a leads", Duration.ofSeconds(5), a::isLeader);
        try (LeaderElection b = elector("handover", "replica-b")) {
            Boolean first = b.leadership().blockFirst(Duration.ofSeconds(1));
            assertThat(first).as("b while a leads").isFalse();

            long start = System.nanoTime();
            a.close();
            Eventually.await("b leads", LEASE, b::isLeader);

            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("handover time").isLessThan(LEASE);
            assertThat(a.isLeader()).as("a after close").isFalse();
        }
    }

    @Test
    void aCrashedLeaderIsReplacedAfterTheLeaseExpires() {
        LeaderElection a = elector("crash", "replica-a");
        Eventually.await("a leads", Duration.ofSeconds(5), a::isLeader);
        try (LeaderElection b = elector("crash", "replica-b")) {
            a.stopCampaigning();
            long start = System.nanoTime();

            Eventually.await("b leads", LEASE.multipliedBy(3), b::isLeader);

            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("takeover after expiry")
                    .isGreaterThanOrEqualTo(LEASE.minusMillis(500));
        }
    }

    @Test
    void rejectsSettingsOutOfOrder() {
        assertThatThrownBy(() -> new LeaderElection.Settings("ns", "l", "me", Duration.ofSeconds(2),
                Duration.ofSeconds(3), Duration.ofMillis(100)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("renewDeadline").hasMessageContaining("PT3S");
    }
}
