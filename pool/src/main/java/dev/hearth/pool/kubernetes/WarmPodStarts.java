package dev.hearth.pool.kubernetes;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import dev.hearth.pool.PoolObserver;
import dev.hearth.pool.PoolObserver.PodStart;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;

/**
 * Create-to-ready times of the warm pods a {@link PoolReconciler} sees, from the pods' own timestamps (creation,
 * and the last transition of the {@code Ready} condition; Kubernetes keeps both to the second). Each pod is
 * reported once per reconciler: ready, or failed when deleted for not getting ready within the start timeout.
 *
 * <p>Only readiness within {@link #RECENT} counts: the leader reconciles on every pod change, so it sees each
 * readiness within seconds, and a replica that becomes leader does not report again the pods its predecessor
 * already saw become ready (at most those of the last {@code RECENT} before a handover).
 */
final class WarmPodStarts {

    static final Duration RECENT = Duration.ofSeconds(30);

    /** Image → names of its warm pods already reported; forgotten once they are no longer warm. */
    private final Map<String, Set<String>> reported = new ConcurrentHashMap<>();

    /**
     * @param warm    the pool's warm pods (ready or not), as the reconciler counted them
     * @param unready names among them deleted for not getting ready in time
     */
    void report(String image, List<V1Pod> warm, List<String> unready, PoolObserver observer) {
        Set<String> seen = reported.computeIfAbsent(image, i -> ConcurrentHashMap.newKeySet());
        Set<String> names = warm.stream().map(PodStates::name).collect(Collectors.toSet());
        seen.retainAll(names);
        Instant now = Instant.now();
        for (V1Pod pod : warm) {
            String name = PodStates.name(pod);
            if (unready.contains(name)) {
                if (seen.add(name)) {
                    observer.podStarted(image, PodStart.FAILED, nanos(PodStates.created(pod), now));
                }
                continue;
            }
            Instant readyAt = readySince(pod);
            if (readyAt != null && readyAt.isAfter(now.minus(RECENT)) && seen.add(name)) {
                observer.podStarted(image, PodStart.READY, nanos(PodStates.created(pod), readyAt));
            }
        }
    }

    /** When the pod turned ready, if it is ready now. */
    static Instant readySince(V1Pod pod) {
        if (!PodStates.ready(pod)) {
            return null;
        }
        return pod.getStatus().getConditions().stream()
                .filter(condition -> "Ready".equals(condition.getType()))
                .map(V1PodCondition::getLastTransitionTime)
                .filter(time -> time != null)
                .map(time -> time.toInstant())
                .findFirst()
                .orElse(null);
    }

    private static long nanos(Instant from, Instant to) {
        return Math.max(0, Duration.between(from, to).toNanos());
    }
}
