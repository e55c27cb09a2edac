package dev.hearth.pool.kubernetes;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.hearth.pool.Pod;
import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.Secrets;
import dev.hearth.runner.client.RunnerClient;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1Pod;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SynchronousSink;
import reactor.util.retry.Retry;

/**
 * Makes and deletes this installation's pods (DESIGN.md, "Kubernetes"): a warm pod rendered by {@link PodTemplates},
 * or for a size-0 pool the pod of a {@code batch/v1} Job, each with its Secret ({@link SecretFirstCreation}), through
 * the pool's creation breaker ({@link #degraded}). {@link #create} awaits the pod warm — Ready in the cache
 * ({@link ClusterPods}) and its runner answering health — and deletes what it made when the creation fails, times out
 * or is cancelled. A {@link Pod}'s id is the pod name, or the Job name for a Job's pod; its address is the pod IP and
 * the runner port.
 *
 * <p>It owns the set of pods this replica created and has not deleted, which {@link #close()} deletes. Any replica
 * may delete any Hearth pod: its kind is read from its id's prefix, not from this replica's memory. Thread-safe.
 */
public final class PodCreation implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PodCreation.class);
    static final String POD_PREFIX = "hearth-p-";
    static final String JOB_PREFIX = "hearth-j-";
    private static final Duration HEALTH_RETRY = Duration.ofMillis(100);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    private final KubernetesApi api;
    private final String namespace;
    private final PodTemplates templates;
    private final PodSecrets podSecrets;
    private final SecretFirstCreation secretFirst;
    private final CreationBreakers breakers;
    private final Function<PoolConfig, KubernetesPoolSpec> specs;
    private final ClusterPods pods;
    private final RunnerClient runners;
    /** Pods and Jobs this replica created and has not deleted, by id. */
    private final Set<String> created = ConcurrentHashMap.newKeySet();

    /**
     * @param podSecrets derives each pod's secret; the same key on every replica
     * @param specs      the Kubernetes spec of each pool; its pods' limits are then the pool's own when it has them
     * @param pods       the cache a new pod's readiness is read from
     * @param runners    client used to check that a ready pod's runner answers health
     */
    public PodCreation(KubernetesApi api, KubernetesDriverConfig config, PodSecrets podSecrets,
                       Function<PoolConfig, KubernetesPoolSpec> specs, ClusterPods pods, RunnerClient runners) {
        this.api = api;
        this.namespace = config.namespace();
        this.templates = new PodTemplates(config);
        this.podSecrets = podSecrets;
        this.secretFirst = new SecretFirstCreation(api, templates, podSecrets);
        this.breakers = new CreationBreakers(config.breaker());
        this.specs = specs;
        this.pods = pods;
        this.runners = runners;
    }

    /**
     * Creates a pod for the pool, warm or (size 0) a Job's, and completes once it is warm. Errors when it cannot be
     * created or is not warm within the pool's start timeout; nothing is left behind then, nor when cancelled.
     */
    public Mono<Pod> create(PoolConfig pool) {
        return Mono.defer(() -> {
            KubernetesPoolSpec spec = specOf(pool);
            String name = (pool.size() == 0 ? JOB_PREFIX : POD_PREFIX) + Secrets.hex(6);
            Mono<?> submission = pool.size() == 0 ? submitJob(name, pool, spec) : submitPod(warmPod(name, pool, spec), spec);
            return breakers.guarded(pool.image(), pods.start().then(createAndAwait(pool, spec, name, submission)));
        });
    }

    /**
     * Creates a warm pod without waiting for it to become ready: reconciliation's create, which sees the pod turn
     * ready in the cache. The pod is not remembered for {@link #close()}: it belongs to the pool, not to this replica.
     */
    public Mono<V1Pod> submitWarmPod(PoolConfig pool) {
        return Mono.defer(() -> {
            KubernetesPoolSpec spec = specOf(pool);
            return breakers.guarded(pool.image(), submitPod(warmPod(POD_PREFIX + Secrets.hex(6), pool, spec), spec));
        });
    }

    /** Deletes the pod, or the Job with its pod, with this id; its Secret goes with it (garbage collector). Idempotent. */
    public Mono<Void> delete(String podId) {
        return Mono.defer(() -> (podId.startsWith(JOB_PREFIX) ? api.deleteJob(namespace, podId) : api.deletePod(namespace, podId))
                .doOnSuccess(done -> created.remove(podId)));
    }

    /** Whether the pool's creation breaker is open (see {@link CreationBreakers#open}). */
    public boolean degraded(String image) {
        return breakers.open(image);
    }

    /** The creation breakers by name {@code pool:<image>}, for metrics. */
    public CircuitBreakerRegistry breakers() {
        return breakers.registry();
    }

    /** Deletes the pods and Jobs this replica created and has not deleted; waits up to 30 s. Blocking; for shutdown. */
    @Override
    public void close() {
        List<Mono<Void>> deletions = created.stream()
                .map(id -> delete(id).onErrorResume(e -> Mono.empty()))
                .toList();
        try {
            Mono.when(deletions).block(CLOSE_WAIT);
        } catch (RuntimeException e) {
            log.warn("Deleting pods on close did not finish: {}", e.toString());
        }
    }

    /** The pool's spec, its limits exactly the pool's own when it was made for runtimes that asked for them. */
    private KubernetesPoolSpec specOf(PoolConfig pool) {
        return specs.apply(pool).sizedFor(pool.limits());
    }

    /** A new warm pod, labelled with the key its secret is derived from. */
    private V1Pod warmPod(String name, PoolConfig pool, KubernetesPoolSpec spec) {
        V1Pod pod = templates.pod(name, pool, spec, Labels.STATE_WARM);
        pod.getMetadata().putLabelsItem(Labels.SECRET_KEY_ID, podSecrets.keyId());
        return pod;
    }

    /** The pod with its Secret. */
    private Mono<V1Pod> submitPod(V1Pod pod, KubernetesPoolSpec spec) {
        return secretFirst.create(namespace, pod.getMetadata().getName(), spec, api.createPod(namespace, pod),
                V1Pod::getMetadata, "v1", "Pod");
    }

    /** The Job with its Secret. */
    private Mono<V1Job> submitJob(String name, PoolConfig pool, KubernetesPoolSpec spec) {
        return secretFirst.create(namespace, name, spec, api.createJob(namespace, templates.job(name, pool, spec)),
                V1Job::getMetadata, "batch/v1", "Job");
    }

    /**
     * Submits the pod (or Job), remembers it for close(), awaits it warm. The submission's API calls run to their
     * end even if the creation is cancelled meanwhile (an acquisition timing out): a blocking call in flight cannot be
     * called back, so instead its outcome is awaited and what it made is deleted — the pod or Job, and with it
     * (garbage collector) its Secret. After the submission, {@link #awaitWarm}'s own clean-up takes over.
     */
    private Mono<Pod> createAndAwait(PoolConfig pool, KubernetesPoolSpec spec, String name, Mono<?> submission) {
        return Mono.defer(() -> {
            CompletableFuture<?> inFlight = submission.toFuture();
            return Mono.fromFuture(inFlight, true)
                    .doOnNext(done -> created.add(name))
                    .doOnCancel(() -> inFlight.whenComplete((done, error) -> {
                        if (error == null) {
                            deleteQuietly(name);
                        }
                    }))
                    .then(awaitWarm(name, pool, spec));
        });
    }

    /**
     * Waits until the pod labelled {@code podId} is Ready and its runner answers health, within the pool's start
     * timeout. On failure, timeout or cancellation the pod (or Job) is deleted: nothing is left behind.
     */
    private Mono<Pod> awaitWarm(String podId, PoolConfig pool, KubernetesPoolSpec spec) {
        String secret = podSecrets.secretOf(podId);
        return pods.updatesOf(podId)
                .handle(PodCreation::readyOrFailed)
                .next()
                .flatMap(ready -> awaitHealth(PodStates.podIp(ready), spec.runnerPort()))
                .map(ip -> new Pod(podId, pool.image(), ip, spec.runnerPort(), secret, Instant.now()))
                .timeout(pool.startTimeout(), Mono.error(() -> new PodStartException(
                        podId + " of pool '" + pool.image() + "' was not warm within " + pool.startTimeout())))
                .onErrorResume(error -> delete(podId).onErrorResume(e -> Mono.empty()).then(Mono.error(error)))
                .doOnCancel(() -> deleteQuietly(podId));
    }

    private static void readyOrFailed(PodInformer.PodEvent event, SynchronousSink<V1Pod> sink) {
        V1Pod pod = event.pod();
        if (event.type() == PodInformer.PodEvent.Type.DELETED || PodStates.terminating(pod)) {
            sink.error(new PodStartException(event.name() + " was deleted before it became ready"));
        } else if (PodStates.ended(pod)) {
            sink.error(new PodStartException(event.name() + " ended (" + PodStates.phase(pod) + ") before it became ready"));
        } else if (PodStates.refusal(pod) != null) {
            // Pending for ever otherwise: the kubelet retries, the pool would wait for its start timeout.
            sink.error(PodStartException.refused(event.name(), PodStates.refusal(pod)));
        } else if (PodStates.ready(pod)) {
            sink.next(pod);
        }
    }

    /** Ready means the kubelet's probe passed; this checks that the runner answers us, too. */
    private Mono<String> awaitHealth(String ip, int port) {
        return runners.health(ip, port)
                .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, HEALTH_RETRY))
                .thenReturn(ip);
    }

    private void deleteQuietly(String podId) {
        delete(podId).subscribe(null, error -> log.warn("Deleting {} failed: {}", podId, error.toString()));
    }
}
