package dev.hearth.pool.kubernetes;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.hearth.pool.Pod;
import dev.hearth.pool.PodDriver;
import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.Secrets;
import dev.hearth.runner.client.RunnerClient;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1Pod;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SynchronousSink;
import reactor.util.retry.Retry;

/**
 * The Kubernetes driver (DESIGN.md, "Kubernetes"): a pod is a Kubernetes pod rendered by {@link PodTemplates};
 * for a size-0 pool it is the pod of a {@code batch/v1} Job. Pod state comes from one {@link PodInformer} per
 * namespace; API calls go through {@link KubernetesApi} (off the event loop, retried) and creation through
 * the pool's circuit breaker. A {@link Pod}'s id is the pod name, or the Job name for a Job's pod; its address
 * is the pod IP and the runner port.
 *
 * <p>Any replica may delete or claim any Hearth pod: what kind an id is, and where it lives, is read from
 * the id prefix and the informer caches, not from this replica's memory.
 */
public final class KubernetesPodDriver implements PodDriver {

    private static final Logger log = LoggerFactory.getLogger(KubernetesPodDriver.class);
    static final String POD_PREFIX = "hearth-p-";
    static final String JOB_PREFIX = "hearth-j-";
    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration HEALTH_RETRY = Duration.ofMillis(100);
    private static final int CLAIM_ATTEMPTS = 5;

    private final KubernetesDriverConfig config;
    private final KubernetesApi api;
    private final PodTemplates templates;
    private final PodSecrets podSecrets;
    private final SecretFirstCreation secretFirst;
    private final Function<String, KubernetesPoolSpec> specs;
    private final RunnerClient runners;
    private final ApiClient watchClient;
    private final Map<String, Mono<PodInformer>> informers = new ConcurrentHashMap<>();
    private final Map<String, PodInformer> started = new ConcurrentHashMap<>();
    private final Map<String, String> created = new ConcurrentHashMap<>();
    private final TerminationTracker terminations = new TerminationTracker();
    private final Disposable.Composite subscriptions = Disposables.composite();

    /**
     * @param requestClient client for ordinary calls (finite read timeout)
     * @param watchClient   client for watches (OkHttp read timeout 0); owned by the driver, cancelled on close
     * @param podSecrets    derives each pod's secret; the same key on every replica
     * @param specs         the Kubernetes spec of each pool, by image
     * @param runners       client used to check that a ready pod's runner answers health
     */
    public KubernetesPodDriver(ApiClient requestClient, ApiClient watchClient, KubernetesDriverConfig config,
                               PodSecrets podSecrets, Function<String, KubernetesPoolSpec> specs, RunnerClient runners) {
        this.config = config;
        this.podSecrets = podSecrets;
        this.api = new KubernetesApi(requestClient, config);
        this.templates = new PodTemplates(config);
        this.secretFirst = new SecretFirstCreation(api, templates, podSecrets);
        this.specs = specs;
        this.runners = runners;
        this.watchClient = watchClient;
    }

    /** Starts the informer of the driver's namespace and completes once its cache is filled. */
    public Mono<Void> start() {
        return informer(config.namespace()).then();
    }

    @Override
    public Mono<Pod> create(PoolConfig pool) {
        return Mono.defer(() -> {
            KubernetesPoolSpec spec = specs.apply(pool.image());
            String namespace = config.namespace();
            Mono<Pod> creation = pool.size() == 0 ? createJobPod(pool, spec, namespace) : createWarmPod(pool, spec, namespace);
            return api.guarded(pool.image(), creation);
        });
    }

    @Override
    public Mono<Void> delete(String podId) {
        return Mono.defer(() -> {
            String namespace = namespaceOf(podId);
            terminations.deleting(podId);
            Mono<Void> deletion = podId.startsWith(JOB_PREFIX)
                    ? api.deleteJob(namespace, podId)
                    : api.deletePod(namespace, podId);
            return deletion.doOnSuccess(done -> created.remove(podId));
        });
    }

    @Override
    public Flux<String> terminations() {
        return terminations.terminations();
    }

    /**
     * Takes a warm pod out of the shared warm set: relabels it {@code hearth.dev/state=claimed} by a JSON merge patch carrying the resourceVersion
     * it read, which the API server treats as a precondition (409 when stale): of concurrent claimers on any
     * replicas exactly one gets {@code true}. A loser re-reads the pod and finds it claimed. A conflict caused
     * by an unrelated write (a status update) is retried on the fresh read. {@code false} when the pod is
     * already claimed, gone, ended, or is a Job's pod (born claimed).
     */
    public Mono<Boolean> take(Pod pod) {
        if (pod.id().startsWith(JOB_PREFIX)) {
            return Mono.just(false);
        }
        String namespace = namespaceOf(pod.id());
        Mono<V1Pod> cached = informer(namespace)
                .flatMap(informer -> Mono.justOrEmpty(informer.get(pod.id())))
                .switchIfEmpty(Mono.defer(() -> api.readPod(namespace, pod.id())));
        return claim(namespace, pod.id(), cached, CLAIM_ATTEMPTS);
    }

    /**
     * Whether the pool's creation breaker is open: the pool is degraded. Half-open is not: its probe
     * creations must be let through for the pool to recover.
     */
    @Override
    public boolean degraded(String image) {
        CircuitBreaker.State state = api.breaker(image).getState();
        return state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN;
    }

    /** The adapter, for leader election and metrics (breakers). */
    public KubernetesApi api() {
        return api;
    }

    public KubernetesDriverConfig config() {
        return config;
    }

    /** Deletes the pods this driver created and has not deleted (waits up to 30 s), then stops the informers. */
    @Override
    public void close() {
        List<Mono<Void>> deletions = created.keySet().stream()
                .map(id -> delete(id).onErrorResume(e -> Mono.empty()))
                .toList();
        try {
            Mono.when(deletions).block(Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            log.warn("Deleting pods on close did not finish: {}", e.toString());
        }
        subscriptions.dispose();
        started.values().forEach(PodInformer::close);
        terminations.complete();
    }

    /** The started informer of {@code namespace}; started on first use, shared afterwards. */
    Mono<PodInformer> informer(String namespace) {
        return informers.computeIfAbsent(namespace, ns -> Mono.defer(() -> {
            PodInformer informer = new PodInformer(watchClient, ns, templates.selector());
            subscriptions.add(informer.events().subscribe(terminations::onEvent,
                    error -> log.error("Termination tracking of {} stopped", ns, error)));
            started.put(ns, informer);
            return informer.start(SYNC_TIMEOUT).thenReturn(informer);
        }).cache());
    }

    /**
     * Warm pods of the image as the cache shows them (labelled warm, Ready, not ending), as {@link Pod}s any
     * replica may try to take with {@link #take}. Reads only the cache: no API call.
     */
    public Mono<List<Pod>> warmPods(String image) {
        return Mono.defer(() -> {
            KubernetesPoolSpec spec = specs.apply(image);
            return informer(config.namespace()).map(informer -> warmPodsIn(informer, image, spec));
        });
    }

    private List<Pod> warmPodsIn(PodInformer informer, String image, KubernetesPoolSpec spec) {
        return informer.withLabel(Labels.POOL, Labels.poolValue(image)).stream()
                .filter(pod -> Labels.STATE_WARM.equals(PodStates.label(pod, Labels.STATE)))
                // A pod made under another pod-secret key would refuse every call: the leader replaces it.
                .filter(pod -> podSecrets.keyId().equals(PodStates.label(pod, Labels.SECRET_KEY_ID)))
                .filter(pod -> PodStates.ready(pod) && !PodStates.ended(pod) && !PodStates.terminating(pod))
                .map(pod -> asPod(pod, image, spec))
                .filter(pod -> pod != null)
                .toList();
    }

    /** How many warm pods of the image the cache shows now; 0 before the pool's informer started. No API call. */
    public int warmCount(String image) {
        KubernetesPoolSpec spec = specs.apply(image);
        PodInformer informer = started.get(config.namespace());
        return informer == null ? 0 : warmPodsIn(informer, image, spec).size();
    }

    private Pod asPod(V1Pod pod, String image, KubernetesPoolSpec spec) {
        String id = PodStates.label(pod, Labels.POD_ID);
        String ip = PodStates.podIp(pod);
        if (id == null || ip == null) {
            return null;
        }
        return new Pod(id, image, ip, spec.runnerPort(), podSecrets.secretOf(id), PodStates.created(pod));
    }

    /** A claimed pod (or Job pod) as the cache shows it, with when it was claimed. */
    public record ClaimedPod(String podId, Instant claimedAt) {
    }

    /** Pods of ours labelled claimed in the driver's namespace, not already being deleted. Cache only. */
    public Mono<List<ClaimedPod>> claimedPods() {
        return informer(config.namespace()).map(informer -> informer.pods().stream()
                .filter(pod -> Labels.STATE_CLAIMED.equals(PodStates.label(pod, Labels.STATE)))
                .filter(pod -> !PodStates.terminating(pod) && PodStates.label(pod, Labels.POD_ID) != null)
                .map(pod -> new ClaimedPod(PodStates.label(pod, Labels.POD_ID), claimedAt(pod)))
                .toList());
    }

    private static Instant claimedAt(V1Pod pod) {
        java.util.Map<String, String> annotations = pod.getMetadata().getAnnotations();
        String at = annotations == null ? null : annotations.get(Labels.CLAIMED_AT);
        try {
            return at != null ? Instant.ofEpochMilli(Long.parseLong(at)) : PodStates.created(pod);
        } catch (NumberFormatException e) {
            return PodStates.created(pod);
        }
    }

    /** Every change the cache sees to a pod of ours in the driver's namespace. Hot. */
    public Flux<PodInformer.PodEvent> podEvents() {
        return informer(config.namespace()).flatMapMany(PodInformer::events);
    }

    /** The informers started so far. */
    Collection<PodInformer> informers() {
        return started.values();
    }

    PodTemplates templates() {
        return templates;
    }

    KubernetesPoolSpec spec(String image) {
        return specs.apply(image);
    }

    /** Creates a warm pod through the API without waiting for it to become ready: reconciliation's create. */
    Mono<V1Pod> submitWarmPod(PoolConfig pool) {
        return Mono.defer(() -> {
            KubernetesPoolSpec spec = specs.apply(pool.image());
            String namespace = config.namespace();
            return api.guarded(pool.image(), submitPod(namespace, spec, warmPod(pool, spec)));
        });
    }

    private Mono<Pod> createWarmPod(PoolConfig pool, KubernetesPoolSpec spec, String namespace) {
        V1Pod pod = warmPod(pool, spec);
        return createAndAwait(pool, spec, namespace, pod.getMetadata().getName(), submitPod(namespace, spec, pod));
    }

    /** The pod with its Secret ({@link SecretFirstCreation}). */
    private Mono<V1Pod> submitPod(String namespace, KubernetesPoolSpec spec, V1Pod pod) {
        return secretFirst.create(namespace, pod.getMetadata().getName(), spec, api.createPod(namespace, pod),
                V1Pod::getMetadata, "v1", "Pod");
    }

    /** A new warm pod, labelled with the key its secret is derived from. */
    private V1Pod warmPod(PoolConfig pool, KubernetesPoolSpec spec) {
        V1Pod pod = templates.pod(POD_PREFIX + Secrets.hex(6), pool, spec, Labels.STATE_WARM);
        pod.getMetadata().putLabelsItem(Labels.SECRET_KEY_ID, podSecrets.keyId());
        return pod;
    }

    private Mono<Pod> createJobPod(PoolConfig pool, KubernetesPoolSpec spec, String namespace) {
        String name = JOB_PREFIX + Secrets.hex(6);
        return createAndAwait(pool, spec, namespace, name, secretFirst.create(namespace, name, spec,
                api.createJob(namespace, templates.job(name, pool, spec)), V1Job::getMetadata, "batch/v1", "Job"));
    }

    /**
     * Once the namespace's informer runs: submits the pod (or Job), remembers it for close(), awaits it warm.
     * The submission's API calls run to their end even if the creation is cancelled meanwhile (an acquisition
     * timing out): a blocking call in flight cannot be called back, so instead its outcome is awaited and what it
     * made is deleted — the pod or Job, and with it (garbage collector) its Secret. After the submission,
     * {@link #awaitWarm}'s own clean-up takes over.
     */
    private Mono<Pod> createAndAwait(PoolConfig pool, KubernetesPoolSpec spec, String namespace, String name,
                                     Mono<?> submission) {
        return informer(namespace).flatMap(informer -> Mono.defer(() -> {
            CompletableFuture<?> inFlight = submission.toFuture();
            return Mono.fromFuture(inFlight, true)
                    .doOnNext(done -> created.put(name, namespace))
                    .doOnCancel(() -> inFlight.whenComplete((done, error) -> {
                        if (error == null) {
                            delete(name)
                                    .subscribe(null, e -> log.warn("Deleting {} failed: {}", name, e.toString()));
                        }
                    }))
                    .then(awaitWarm(informer, name, pool, spec, namespace));
        }));
    }

    /** Derives every pod's secret and knows the key's public id. */
    PodSecrets podSecrets() {
        return podSecrets;
    }

    /**
     * Waits until the pod labelled {@code podId} is Ready and its runner answers health, within the pool's
     * start timeout. On failure, timeout or cancellation the pod (or Job) is deleted: nothing is left behind.
     */
    private Mono<Pod> awaitWarm(PodInformer informer, String podId, PoolConfig pool, KubernetesPoolSpec spec,
                                String namespace) {
        String secret = podSecrets.secretOf(podId);
        return podUpdates(informer, podId)
                .handle(this::readyOrFailed)
                .next()
                .flatMap(ready -> awaitHealth(PodStates.podIp(ready), spec.runnerPort()))
                .map(ip -> new Pod(podId, pool.image(), ip, spec.runnerPort(), secret, Instant.now()))
                .timeout(pool.startTimeout(), Mono.error(() -> new PodStartException(
                        podId + " of pool '" + pool.image() + "' was not warm within " + pool.startTimeout())))
                .onErrorResume(error -> delete(podId).onErrorResume(e -> Mono.empty()).then(Mono.error(error)))
                .doOnCancel(() -> delete(podId).subscribe(null, e -> log.warn("Deleting {} failed: {}", podId, e.toString())));
    }

    /** The cached state of the pod, then every change to it; subscribes to changes first so none is lost. */
    private static Flux<PodInformer.PodEvent> podUpdates(PodInformer informer, String podId) {
        return Flux.merge(
                informer.events().filter(event -> podId.equals(PodStates.label(event.pod(), Labels.POD_ID))),
                Flux.defer(() -> Flux.fromIterable(informer.withLabel(Labels.POD_ID, podId)))
                        .map(pod -> new PodInformer.PodEvent(PodInformer.PodEvent.Type.ADDED, pod)));
    }

    private void readyOrFailed(PodInformer.PodEvent event, SynchronousSink<V1Pod> sink) {
        V1Pod pod = event.pod();
        if (event.type() == PodInformer.PodEvent.Type.DELETED || PodStates.terminating(pod)) {
            sink.error(new PodStartException(event.name() + " was deleted before it became ready"));
        } else if (PodStates.ended(pod)) {
            sink.error(new PodStartException(event.name() + " ended (" + PodStates.phase(pod) + ") before it became ready"));
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

    private Mono<Boolean> claim(String namespace, String name, Mono<V1Pod> current, int attempts) {
        return current
                .flatMap(pod -> claimable(pod) ? patchClaimed(namespace, pod) : Mono.just(false))
                .defaultIfEmpty(false)
                .onErrorResume(e -> KubernetesApi.isStatus(e, 409) && attempts > 1,
                        e -> claim(namespace, name, api.readPod(namespace, name), attempts - 1));
    }

    private Mono<Boolean> patchClaimed(String namespace, V1Pod pod) {
        MetadataPatch claimed = new MetadataPatch()
                .resourceVersion(pod.getMetadata().getResourceVersion())
                .label(Labels.STATE, Labels.STATE_CLAIMED)
                .annotation(Labels.CLAIMED_AT, Long.toString(System.currentTimeMillis()));
        return api.patchPodMetadata(namespace, PodStates.name(pod), claimed).thenReturn(true);
    }

    private static boolean claimable(V1Pod pod) {
        return Labels.STATE_WARM.equals(PodStates.label(pod, Labels.STATE))
                && !PodStates.terminating(pod) && !PodStates.ended(pod);
    }

    /** Where the pod with this id lives: known from creation, else from the caches, else the default namespace. */
    private String namespaceOf(String podId) {
        String known = created.get(podId);
        if (known != null) {
            return known;
        }
        for (PodInformer informer : started.values()) {
            if (!informer.withLabel(Labels.POD_ID, podId).isEmpty()) {
                return informer.namespace();
            }
        }
        return config.namespace();
    }
}
