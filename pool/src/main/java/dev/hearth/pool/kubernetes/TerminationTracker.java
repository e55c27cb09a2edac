package dev.hearth.pool.kubernetes;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * Turns informer events into {@code PodDriver.terminations()}: a Hearth pod that is deleted, or whose phase
 * becomes Failed or Succeeded, without this replica having asked for its deletion. Each pod id is reported
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
        } else if (PodStates.ended(event.pod()) && !deleting.contains(podId) && reported.add(podId)) {
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
