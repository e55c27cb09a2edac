package dev.hearth.pool.docker;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** One pod of {@link DockerPodDriver}: its state changes from the creation, the event stream and deletion. */
final class TrackedPod {
    final RunnerAccess access;
    final Sinks.Empty<Void> ended = Sinks.empty();
    volatile CompletableFuture<Void> submitted = CompletableFuture.completedFuture(null);
    volatile boolean warm;
    volatile boolean deleting;
    private Mono<Void> removal;

    TrackedPod(RunnerAccess access) {
        this.access = access;
    }

    /** The one removal of this pod, started by the first deletion; a failed one is started anew by the next. */
    synchronized Mono<Void> removal(Supplier<Mono<Void>> start) {
        deleting = true;
        if (removal == null) {
            removal = start.get()
                    .doOnError(error -> forgetRemoval())
                    .cache();
        }
        return removal;
    }

    private synchronized void forgetRemoval() {
        removal = null;
    }
}
