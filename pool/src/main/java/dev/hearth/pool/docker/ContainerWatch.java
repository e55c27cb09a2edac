package dev.hearth.pool.docker;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.github.dockerjava.api.model.Container;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.util.retry.Retry;

/**
 * Tells its owner which of this installation's pod containers ended: from the Engine's event stream ({@code die},
 * {@code destroy}), filtered by the installation's labels on the Engine's side. The stream is reopened whenever it
 * ends or fails, forever, with backoff; each time it opens, the containers are listed once and every watched pod whose
 * container is no longer running is reported too, so nothing that died while the stream was down goes unseen. A pod
 * may be reported more than once; the owner decides what a report means.
 */
final class ContainerWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ContainerWatch.class);
    private static final Duration REOPEN_DELAY = Duration.ofSeconds(1);

    private final DockerApi api;
    private final Map<String, String> selector;
    private final Supplier<Collection<String>> watched;
    private final Consumer<String> ended;
    private volatile Disposable watching;

    /**
     * @param selector labels of the containers to watch (this installation's pods)
     * @param watched  the pod ids whose end matters now (warm, not being deleted), read when the stream opens
     * @param ended    called with the pod id of a container that ended, on the stream's thread
     */
    ContainerWatch(DockerApi api, Map<String, String> selector, Supplier<Collection<String>> watched,
                   Consumer<String> ended) {
        this.api = api;
        this.selector = Map.copyOf(selector);
        this.watched = watched;
        this.ended = ended;
    }

    /** Opens the stream. Idempotent. */
    synchronized void start() {
        if (watching != null) {
            return;
        }
        watching = Flux.defer(() -> api.events(selector))
                .concatMap(this::endedPods)
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(500))
                        .maxBackoff(Duration.ofSeconds(10))
                        .transientErrors(true)
                        .doBeforeRetry(signal -> log.warn("Docker event stream failed; reopening it: {}",
                                signal.failure().toString())))
                .repeatWhen(completions -> completions
                        .doOnNext(done -> log.warn("Docker event stream ended; reopening it"))
                        .delayElements(REOPEN_DELAY))
                .subscribe(ended, error -> log.error("Watching Docker containers stopped", error));
    }

    private Flux<String> endedPods(DockerApi.ContainerEvent event) {
        if (DockerApi.ContainerEvent.CONNECTED.equals(event.action())) {
            return notRunning();
        }
        String podId = event.attributes().get(DockerLabels.POD_ID);
        boolean end = "die".equals(event.action()) || "destroy".equals(event.action());
        return end && podId != null ? Flux.just(podId) : Flux.empty();
    }

    /** Watched pods whose container is not running (or gone), read once, when the stream opens. */
    private Flux<String> notRunning() {
        Set<String> candidates = new HashSet<>(watched.get());
        if (candidates.isEmpty()) {
            return Flux.empty();
        }
        return api.listContainers(selector)
                .flatMapIterable(containers -> {
                    Set<String> running = new HashSet<>();
                    for (Container container : containers) {
                        String podId = container.getLabels() == null ? null : container.getLabels().get(DockerLabels.POD_ID);
                        if (podId != null && "running".equals(container.getState())) {
                            running.add(podId);
                        }
                    }
                    candidates.removeAll(running);
                    return candidates;
                })
                .onErrorResume(error -> {
                    log.warn("Listing containers after the event stream opened failed: {}", error.toString());
                    return Flux.empty();
                });
    }

    @Override
    public synchronized void close() {
        if (watching != null) {
            watching.dispose();
        }
    }
}
