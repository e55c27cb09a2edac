package dev.hearth.pool.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.hearth.pool.Pod;
import dev.hearth.pool.PodDriver;
import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.Secrets;
import dev.hearth.runner.Runner;
import dev.hearth.runner.RunnerConfig;
import dev.hearth.runner.client.RunnerClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * The embedded default's driver (DESIGN.md, "Embedded default"): a pod is a runner instance in this JVM
 * on its own loopback port, with its own working directory {@code <workRoot>/pods/<podId>}. Every
 * process the pod starts runs inside that directory and is killed when the pod is deleted. Creating a
 * pod takes milliseconds, so the same pool code paths run here as on Kubernetes.
 *
 * <p>Given the gateway's {@link RunnerClient}, a pod is warm once its runner answered {@code GET /v1/health}
 * through it, as on Docker and Kubernetes: that call leaves a kept-alive connection to the runner in the
 * client's pool, so the claim that specializes the pod does not open one (about 1.5 ms of a creation, with the
 * runner's side of the new connection).
 */
public final class LocalPodDriver implements PodDriver {

    private static final Logger log = LoggerFactory.getLogger(LocalPodDriver.class);
    private static final int MAX_CONCURRENCY = 256;

    private final Path podsDir;
    private final String host;
    private final RunnerClient client;
    private final Map<String, Runner> runners = new ConcurrentHashMap<>();
    private final Sinks.Many<String> terminations = Sinks.many().multicast().directBestEffort();

    /**
     * @param workRoot directory under which pods get their working directories; a {@code pods} directory
     *                 left by an earlier run is removed, since no process of it can still be serving
     * @param host     loopback address the runners bind, e.g. {@code 127.0.0.1}
     */
    public LocalPodDriver(Path workRoot, String host) {
        this(workRoot, host, null);
    }

    /**
     * @param client the client the gateway specializes and executes through; each new pod's health is asked
     *               through it before the pod counts as warm (null: warm as soon as its runner listens)
     */
    public LocalPodDriver(Path workRoot, String host, RunnerClient client) {
        this.podsDir = workRoot.resolve("pods");
        this.host = host;
        this.client = client;
        LocalFiles.deleteTree(podsDir);
        try {
            Files.createDirectories(podsDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create pod directory " + podsDir, e);
        }
    }

    @Override
    public Mono<Pod> create(PoolConfig pool) {
        Mono<Pod> started = Mono.fromCallable(() -> startRunner(pool))
                .subscribeOn(Schedulers.boundedElastic());
        return client == null ? started : started.flatMap(this::answering);
    }

    /** The pod once its runner answered health through the gateway's client; stopped when it did not. */
    private Mono<Pod> answering(Pod pod) {
        return client.health(pod.host(), pod.port())
                .thenReturn(pod)
                .onErrorResume(error -> delete(pod.id()).then(Mono.error(error)))
                .doOnCancel(() -> delete(pod.id()).subscribe());
    }

    @Override
    public Mono<Void> delete(String podId) {
        return Mono.<Void>fromRunnable(() -> stopRunner(podId))
                .subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public Flux<String> terminations() {
        return terminations.asFlux();
    }

    /** Pods alive now; tests use it to prove nothing leaked. */
    public int livePods() {
        return runners.size();
    }

    /** Function processes alive in all pods; tests use it to prove nothing leaked. */
    public int liveProcesses() {
        return runners.values().stream().mapToInt(Runner::liveProcesses).sum();
    }

    @Override
    public void close() {
        List<String> ids = new ArrayList<>(runners.keySet());
        ids.forEach(this::stopRunner);
        terminations.tryEmitComplete();
    }

    private Pod startRunner(PoolConfig pool) throws IOException {
        String id = "pod-" + Secrets.hex(6);
        String secret = Secrets.newSecret();
        Path workDir = Files.createDirectories(podsDir.resolve(id));
        Runner runner;
        try {
            runner = Runner.start(new RunnerConfig(host, 0, secret, workDir, MAX_CONCURRENCY));
        } catch (RuntimeException e) {
            LocalFiles.deleteTree(workDir);
            throw e;
        }
        runners.put(id, runner);
        log.debug("Started pod {} for pool '{}' on {}", id, pool.image(), runner.address());
        return new Pod(id, pool.image(), host, runner.address().getPort(), secret, Instant.now());
    }

    private void stopRunner(String id) {
        Runner runner = runners.remove(id);
        if (runner != null) {
            runner.close();
        }
        LocalFiles.deleteTree(podsDir.resolve(id));
    }
}
