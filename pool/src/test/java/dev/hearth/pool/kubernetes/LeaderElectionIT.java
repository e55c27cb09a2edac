package dev.hearth.pool.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
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

    @AfterEach
    void heal() {
        harness.faults().apiFailureRate(0);
    }

    @Test
    void ofTwoElectorsOnOneLeaseExactlyOneLeads() {
        try (LeaderElection a = elector("one-leader", "replica-a"); LeaderElection b = elector("one-leader", "replica-b")) {
            await("a leader").atMost(Duration.ofSeconds(10)).until(() -> a.isLeader() || b.isLeader());

            // The subject is a duration: over several renewals, never two leaders and never none.
            await("exactly one leads throughout").during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> a.isLeader() ^ b.isLeader());
        }
    }

    @Test
    void closingTheLeaderHandsOverWithinTheLeaseDuration() {
        LeaderElection a = elector("handover", "replica-a");
        await("a leads").atMost(Duration.ofSeconds(10)).until(a::isLeader);
        try (LeaderElection b = elector("handover", "replica-b")) {
            Boolean first = b.leadership().blockFirst(Duration.ofSeconds(1));
            assertThat(first).as("b while a leads").isFalse();

            long start = System.nanoTime();
            a.close();
            await("b leads").atMost(LEASE).until(b::isLeader);

            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("handover time").isLessThan(LEASE);
            assertThat(a.isLeader()).as("a after close").isFalse();
        }
    }

    @Test
    void aCrashedLeaderIsReplacedAfterTheLeaseExpires() {
        LeaderElection a = elector("crash", "replica-a");
        await("a leads").atMost(Duration.ofSeconds(10)).until(a::isLeader);
        try (LeaderElection b = elector("crash", "replica-b")) {
            a.stopCampaigning();
            long start = System.nanoTime();

            await("b leads").atMost(LEASE.multipliedBy(3)).until(b::isLeader);

            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("takeover after expiry")
                    .isGreaterThanOrEqualTo(LEASE.minusMillis(500));
        }
    }

    @Test
    void keepsCampaigningThroughAnApiOutageWhoseAttemptsOutlastTheRetryPeriod() {
        int injectedBefore = harness.faults().injectedFailures();
        harness.faults().apiFailureRate(1.0);
        try (LeaderElection a = elector("outage", "replica-a")) {
            // Every attempt fails, each after retries slower than the 200 ms retry period.
            await("attempts failing").atMost(Duration.ofSeconds(10))
                    .until(() -> harness.faults().injectedFailures() - injectedBefore > 20);
            assertThat(a.isLeader()).as("leads during the outage").isFalse();

            harness.faults().apiFailureRate(0);

            await("leads once the API heals").atMost(Duration.ofSeconds(10)).until(a::isLeader);
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
