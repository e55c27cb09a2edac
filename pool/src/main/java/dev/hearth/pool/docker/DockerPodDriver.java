package dev.hearth.pool.docker;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.hearth.pool.Pod;
import dev.hearth.pool.PodDriver;
import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.Secrets;
import dev.hearth.runner.client.RunnerClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * The Docker driver (DESIGN.md, "Docker (one host)"): a pod is a container of the pool's image on a local Docker
 * Engine, rendered by {@link ContainerTemplates}, its runner with a random secret on a loopback address of its own
 * ({@link LoopbackAddresses}) when the pool is on the host's network, else on a Unix domain socket in a directory of
 * its own ({@link SocketDirectories}). Its pods are this replica's: wrap it in {@code ImagePool}s.
 *
 * <p>{@link #start()} removes the containers a previous run of the same installation left (their secrets were in that
 * run's memory only, so they cannot be adopted) and never touches another installation's or unlabelled ones. Docker
 * labels cannot change, so a container's state label says how it was born; whether a warm pod has been claimed lives
 * in the pool's book.
 *
 * <p>It owns the map of the pods it made and has not removed; {@link #close()} removes them. A container that ends
 * without {@link #delete} (killed, out of memory, its runner crashed) is reported on {@link #terminations()} once it
 * was warm, and removed. Thread-safe.
 */
public final class DockerPodDriver implements PodDriver {

    private static final Logger log = LoggerFactory.getLogger(DockerPodDriver.class);
    private static final Duration HEALTH_RETRY = Duration.ofMillis(100);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    private final DockerApi api;
    private final DockerDriverConfig config;
    private final ContainerTemplates templates;
    private final Function<PoolConfig, DockerPoolSpec> specs;
    private final RunnerClient runners;
    private final LoopbackAddresses addresses;
    private final SocketDirectories sockets;
    private final ContainerWatch watch;
    private final Map<String, TrackedPod> pods = new ConcurrentHashMap<>();
    private final Sinks.Many<String> terminations = Sinks.many().multicast().directBestEffort();

    /** @param specs the Docker spec of each pool, by image */
    public DockerPodDriver(DockerApi api, DockerDriverConfig config, Function<PoolConfig, DockerPoolSpec> specs,
                           RunnerClient runners) {
        this.api = api;
        this.config = config;
        this.templates = new ContainerTemplates(config);
        this.specs = specs;
        this.runners = runners;
        this.addresses = new LoopbackAddresses(config.addresses(), config.runnerPort());
        this.sockets = new SocketDirectories(config);
        this.watch = new ContainerWatch(api, templates.installationLabels(DockerLabels.ROLE_POD), this::watchedPods,
                this::containerEnded);
    }

    /**
     * Checks the Engine answers, removes what a previous run of this installation left (containers, then socket
     * directories), makes the runner distribution ready ({@link RunnerInstall}) and starts watching containers. Call
     * once, before creating pods.
     */
    public Mono<Void> start() {
        return api.ping()
                .then(sweep())
                .then(Mono.fromCallable(sockets::prepare).subscribeOn(Schedulers.boundedElastic()).then())
                .then(new RunnerInstall(api, config, templates).prepare())
                .doOnSuccess(ready -> watch.start());
    }

    @Override
    public Mono<Pod> create(PoolConfig pool) {
        return Mono.defer(() -> {
            // A pool made for runtimes that asked for limits gives its containers exactly those.
            DockerPoolSpec spec = specs.apply(pool).sizedFor(pool.limits());
            boolean hostNetwork = ContainerTemplates.onHostNetwork(pool, spec);
            String podId = "hearth-" + config.installation() + "-" + Secrets.hex(6);
            return Mono.fromCallable(() -> hostNetwork ? new RunnerAccess.Loopback(addresses.allocate())
                            : (RunnerAccess) new RunnerAccess.Socket(sockets.create(podId)))
                    .subscribeOn(Schedulers.boundedElastic())
                    .flatMap(access -> launch(podId, pool, spec, access));
        });
    }

    /**
     * Removes the pod's container (waiting for its creation call to end first), then frees its address or removes its
     * socket directory. Idempotent; concurrent deletions of one pod join one removal.
     */
    @Override
    public Mono<Void> delete(String podId) {
        return Mono.defer(() -> {
            TrackedPod tracked = pods.get(podId);
            return tracked == null ? api.removeContainer(podId) : tracked.removal(() -> remove(podId, tracked));
        });
    }

    @Override
    public Flux<String> terminations() {
        return terminations.asFlux();
    }

    /** Pods made and not removed yet; tests use it to prove nothing leaked. */
    public int livePods() {
        return pods.size();
    }

    /** Loopback addresses held by pods; tests use it to prove nothing leaked. */
    public int heldAddresses() {
        return addresses.held();
    }

    /** Socket directories of pods; tests use it to prove nothing leaked. Blocking. */
    public int socketDirectories() throws IOException {
        return sockets.count();
    }

    /** Removes every container this driver made and has not removed; waits up to 30 s. Blocking; for shutdown. */
    @Override
    public void close() {
        watch.close();
        List<Mono<Void>> removals = pods.keySet().stream()
                .map(podId -> delete(podId).onErrorResume(error -> Mono.empty()))
                .toList();
        try {
            Mono.when(removals).block(CLOSE_WAIT);
        } catch (RuntimeException e) {
            log.warn("Removing containers on close did not finish (the next start removes them): {}", e.toString());
        }
        synchronized (terminations) {
            terminations.tryEmitComplete();
        }
    }

    /**
     * Creates and starts the container, then awaits its runner's health within the pool's start timeout. The Engine
     * calls run to their end even if the creation is cancelled meanwhile (a blocking call cannot be called back);
     * {@link #delete} waits for them, so what they made is always removed. Any failure, timeout or cancellation
     * removes the container.
     */
    private Mono<Pod> launch(String podId, PoolConfig pool, DockerPoolSpec spec, RunnerAccess access) {
        String secret = Secrets.newSecret();
        TrackedPod tracked = new TrackedPod(access);
        pods.put(podId, tracked);
        Mono<String> workingDir = ContainerTemplates.openRuntimes(pool) ? api.imageWorkingDir(pool.image())
                : Mono.just("");
        tracked.submitted = workingDir
                .map(directory -> templates.pod(podId, pool, spec, access, secret, directory))
                .flatMap(api::createContainer)
                .flatMap(id -> api.startContainer(id))
                .toFuture();
        return Mono.fromFuture(tracked.submitted, true)
                .then(awaitHealth(tracked, access))
                .timeout(pool.startTimeout(), Mono.error(() -> new ContainerStartException(podId + " of pool '"
                        + pool.image() + "': its runner did not answer on " + where(access) + " within "
                        + pool.startTimeout())))
                .onErrorResume(error -> explain(podId, pool, error)
                        .flatMap(explained -> delete(podId).onErrorResume(e -> Mono.empty()).then(Mono.error(explained))))
                .doOnCancel(() -> deleteQuietly(podId))
                .then(Mono.fromCallable(() -> warm(podId, tracked, pool, access, secret)));
    }

    private String where(RunnerAccess access) {
        return access instanceof RunnerAccess.Loopback ? access.address() + ":" + config.runnerPort() : access.address();
    }

    /** Completes when the runner answers health; errors as soon as the container ends. */
    private Mono<Void> awaitHealth(TrackedPod tracked, RunnerAccess access) {
        Mono<Void> healthy = runners.health(access.address(), config.runnerPort())
                .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, HEALTH_RETRY))
                .then();
        Mono<Void> ended = tracked.ended.asMono()
                .then(Mono.error(() -> new ContainerStartException("the container exited")));
        return Mono.firstWithSignal(healthy, ended);
    }

    private Pod warm(String podId, TrackedPod tracked, PoolConfig pool, RunnerAccess access, String secret) {
        tracked.warm = true;
        log.debug("Started pod {} for pool '{}' on {}", podId, pool.image(), where(access));
        return new Pod(podId, pool.image(), access.address(), config.runnerPort(), secret, Instant.now());
    }

    /** The failure with what the Engine knows: a missing image, or the exit code and last output of the container. */
    private Mono<Throwable> explain(String podId, PoolConfig pool, Throwable error) {
        String what = podId + " of pool '" + pool.image() + "' did not become warm";
        if (String.valueOf(error.getMessage()).contains("No such image")) {
            return Mono.just(new ContainerStartException(what + ": the image is not on the Docker Engine, and the"
                    + " Docker driver never pulls", error));
        }
        return api.inspectContainer(podId)
                .filter(inspect -> inspect.getState() != null && Boolean.FALSE.equals(inspect.getState().getRunning()))
                .flatMap(inspect -> api.logs(podId, 20).map(output -> (Throwable) new ContainerStartException(what
                        + ": its container exited with " + inspect.getState().getExitCodeLong()
                        + (Boolean.TRUE.equals(inspect.getState().getOOMKilled()) ? " (OOMKilled)" : "")
                        + "; its last output: " + output, error)))
                .onErrorResume(e -> Mono.empty())
                .defaultIfEmpty(error instanceof ContainerStartException ? error
                        : new ContainerStartException(what + ": " + error, error));
    }

    /** A watched container ended: a warm pod is reported and removed; a starting one fails its creation. */
    private void containerEnded(String podId) {
        TrackedPod tracked = pods.get(podId);
        if (tracked == null || tracked.deleting) {
            return;
        }
        tracked.ended.tryEmitEmpty();
        if (tracked.warm) {
            log.warn("Pod {} ended without being deleted; removing its container", podId);
            synchronized (terminations) {
                terminations.tryEmitNext(podId);
            }
            deleteQuietly(podId);
        }
    }

    private List<String> watchedPods() {
        return pods.entrySet().stream()
                .filter(entry -> entry.getValue().warm && !entry.getValue().deleting)
                .map(Map.Entry::getKey)
                .toList();
    }

    /** Removes every container of this installation (any role); another installation's are never listed. */
    private Mono<Void> sweep() {
        Map<String, String> ours = Map.of(DockerLabels.INSTALLATION, config.installation());
        return api.listContainers(ours)
                .flatMapMany(Flux::fromIterable)
                .filter(container -> container.getLabels() != null
                        && config.installation().equals(container.getLabels().get(DockerLabels.INSTALLATION)))
                .concatMap(container -> api.removeContainer(container.getId()).thenReturn(container.getId()))
                .count()
                .doOnNext(count -> {
                    if (count > 0) {
                        log.info("Removed {} containers left by an earlier run of installation '{}'", count,
                                config.installation());
                    }
                })
                .then();
    }

    private Mono<Void> remove(String podId, TrackedPod tracked) {
        return Mono.fromFuture(tracked.submitted, true)
                .onErrorResume(error -> Mono.empty())
                .then(api.removeContainer(podId))
                .then(Mono.fromRunnable(() -> forget(podId, tracked)).subscribeOn(Schedulers.boundedElastic()))
                .then();
    }

    /** After the container is gone: its loopback address is free, its socket directory removed (blocking). */
    private void forget(String podId, TrackedPod tracked) {
        if (!pods.remove(podId, tracked)) {
            return;
        }
        if (tracked.access instanceof RunnerAccess.Loopback loopback) {
            addresses.release(loopback.address());
        } else if (tracked.access instanceof RunnerAccess.Socket socket) {
            try {
                sockets.remove(socket.directory());
            } catch (IOException | RuntimeException e) {
                // A function may leave what the gateway's user cannot remove; the next start's sweep tries again.
                log.warn("Removing the socket directory of {} failed: {}", podId, e.toString());
            }
        }
    }

    private void deleteQuietly(String podId) {
        delete(podId).subscribe(null, error -> log.warn("Removing {} failed: {}", podId, error.toString()));
    }
}
