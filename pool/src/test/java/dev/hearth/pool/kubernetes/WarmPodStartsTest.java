package dev.hearth.pool.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import dev.hearth.pool.PoolObserver;
import dev.hearth.pool.PoolObserver.PodStart;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodStatus;

class WarmPodStartsTest {

    private final WarmPodStarts starts = new WarmPodStarts();
    private final List<String> reported = new CopyOnWriteArrayList<>();
    private final PoolObserver observer = new PoolObserver() {
        @Override
        public void podStarted(String image, PodStart outcome, long nanos) {
            reported.add(image + " " + outcome + " " + Duration.ofNanos(nanos).toSeconds() + "s");
        }
    };

    private static V1Pod pod(String name, OffsetDateTime created, OffsetDateTime readyAt) {
        V1PodStatus status = new V1PodStatus().phase("Running").podIP("10.0.0.1");
        if (readyAt != null) {
            status.addConditionsItem(new V1PodCondition().type("Ready").status("True").lastTransitionTime(readyAt));
        }
        return new V1Pod().metadata(new V1ObjectMeta().name(name).creationTimestamp(created)).status(status);
    }

    @Test
    void aPodThatBecameReadyIsReportedOnceWithItsCreateToReadyTime() {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        V1Pod ready = pod("p1", now.minusSeconds(7), now.minusSeconds(3));
        V1Pod starting = pod("p2", now.minusSeconds(2), null);

        starts.report("img", List.of(ready, starting), List.of(), observer);
        starts.report("img", List.of(ready, starting), List.of(), observer);

        assertThat(reported).as("reported once, 4 s from creation to ready").containsExactly("img READY 4s");
    }

    @Test
    void aPodDeletedForNotGettingReadyIsReportedAsFailed() {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        V1Pod stuck = pod("p3", now.minusSeconds(20), null);

        starts.report("img", List.of(stuck), List.of("p3"), observer);
        starts.report("img", List.of(stuck), List.of("p3"), observer);

        assertThat(reported).as("failed once").containsExactly("img FAILED 20s");
    }

    @Test
    void readinessBeforeTheRecentWindowIsLeftToWhoeverSawIt() {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        V1Pod old = pod("p4", now.minusMinutes(10), now.minus(WarmPodStarts.RECENT).minusSeconds(1));

        starts.report("img", List.of(old), List.of(), observer);

        assertThat(reported).as("a new leader does not report its predecessor's pods").isEmpty();
    }
}
