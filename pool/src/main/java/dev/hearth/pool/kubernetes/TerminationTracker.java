package dev.hearth.pool.kubernetes;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * Turns informer events into {@code PodDriver.terminations()}: a Hearth pod that is deleted without this
 * replica having asked for its deletion, or whose phase becomes Failed or Succeeded. Each pod id is reported
 * at most once per life. Thread-safe.
 */
final class TerminationTracker {

    private final Set<String> deleting = ConcurrentHashMap.newKeySet();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private final Sinks.Many<String> terminations = Sinks.many().multicast().directBestEffort();

    /** This replica is deleting {@code podId}: its disappearance is not a termination. */
    void deleting(String podId) {
        deleting.add(podId);
    }

    void onEvent(PodInformer.PodEvent event) {
        String podId = PodStates.label(event.pod(), Labels.POD_ID);
        if (podId == null) {
            return;
        }
        if (event.type() == PodInformer.PodEvent.Type.DELETED) {
            boolean ours = deleting.remove(podId);
            boolean known = reported.remove(podId);
            if (!ours && !known) {
                emit(podId);
            }
        } else if (PodStates.ended(event.pod()) && reported.add(podId)) {
            // An ended pod is a termination even if someone (the leader's reconciler) is already deleting it:
            // its runtime must still learn that it died.
            emit(podId);
        }
    }

    Flux<String> terminations() {
        return terminations.asFlux();
    }

    void complete() {
        synchronized (terminations) {
            terminations.tryEmitComplete();
        }
    }

    private void emit(String podId) {
        synchronized (terminations) {
            terminations.tryEmitNext(podId);
        }
    }
}
