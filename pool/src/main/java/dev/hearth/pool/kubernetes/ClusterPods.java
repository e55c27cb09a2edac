package dev.hearth.pool.kubernetes;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import dev.hearth.pool.Pod;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.models.V1Pod;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * This installation's pods in its runtime namespace, as this replica's informer cache shows them: the one cache the
 * driver, the pools, the reconciler and the secret sweeper read (DESIGN.md: pod state comes from informers, never
 * from polling). It owns the informer ({@link PodInformer}) of the one runtime namespace. Every question is answered
 * from memory, synchronously and without an API call; before {@link #start()} completes the cache is empty and so
 * are the answers. The one write here is {@link #take}, the claim of a warm pod, which must read the cache first.
 *
 * <p>Thread-safe. Pods handed out ({@link #all()}, {@link #ofPool}) are the cache's own objects: read them, never
 * change them.
 */
public final class ClusterPods implements AutoCloseable {

    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(60);
    private static final int TAKE_ATTEMPTS = 5;

    private final KubernetesApi api;
    private final String namespace;
    private final PodSecrets podSecrets;
    private final Function<String, KubernetesPoolSpec> specs;
    private final PodInformer informer;
    private final Mono<Void> started;

    /** A claimed pod (or a Job's pod, born claimed) with when it was claimed. */
    public record ClaimedPod(String podId, Instant claimedAt) {
    }

    /**
     * @param watchClient client for the watch (OkHttp read timeout 0); owned from now on, its calls cancelled on close
     * @param podSecrets  derives each pod's secret; only pods made under its key are handed out as warm
     * @param specs       the Kubernetes spec of each pool, by image (for the runner port of its pods)
     */
    public ClusterPods(ApiClient watchClient, KubernetesApi api, KubernetesDriverConfig config, PodSecrets podSecrets,
                       Function<String, KubernetesPoolSpec> specs) {
        this.api = api;
        this.namespace = config.namespace();
        this.podSecrets = podSecrets;
        this.specs = specs;
        this.informer = new PodInformer(watchClient, namespace, new PodTemplates(config).selector());
        this.started = informer.start(SYNC_TIMEOUT).cache();
    }

    /**
     * Starts the informer and completes once the cache holds the first list (errors after 60 s). Idempotent: every
     * call shares the first start, its failure included.
     */
    public Mono<Void> start() {
        return started;
    }

    /** Every change the cache sees to a pod of ours, from subscription on. Hot; completes on close. */
    public Flux<PodInformer.PodEvent> events() {
        return informer.events();
    }

    /**
     * The ids of the image's pods that a change just showed claimable ({@link #warmPods}): a waiting acquisition's
     * cue to look again. Hot.
     */
    public Flux<String> warmed(String image) {
        String pool = Labels.poolValue(image);
        return events()
                .filter(event -> event.type() != PodInformer.PodEvent.Type.DELETED)
                .map(PodInformer.PodEvent::pod)
                .filter(pod -> pool.equals(PodStates.label(pod, Labels.POOL)) && claimableWarm(pod))
                .map(PodStates::name);
    }

    /** The pod labelled with this id as cached, then every change to it; subscribes to changes first, so none is lost. */
    Flux<PodInformer.PodEvent> updatesOf(String podId) {
        return Flux.merge(
                events().filter(event -> podId.equals(PodStates.label(event.pod(), Labels.POD_ID))),
                Flux.defer(() -> Flux.fromIterable(informer.withPodId(podId)))
                        .map(pod -> new PodInformer.PodEvent(PodInformer.PodEvent.Type.ADDED, pod)));
    }

    /** Every cached pod of ours. */
    public List<V1Pod> all() {
        return informer.pods();
    }

    /** Every cached pod of the image's pool, of any kind and state. */
    public List<V1Pod> ofPool(String image) {
        return informer.withLabel(Labels.POOL, Labels.poolValue(image));
    }

    /**
     * The image's warm pods any replica may try to {@link #take}: labelled warm, Ready, not ending, made under this
     * replica's pod-secret key (a pod made under another would refuse every call: the leader replaces it).
     */
    public List<Pod> warmPods(String image) {
        return labelledWarm(image).stream()
                .filter(this::claimableWarm)
                .map(pod -> asPod(pod, image))
                .filter(Objects::nonNull)
                .toList();
    }

    /**
     * {@link #warmPods}, in random order, each drawn and made into a {@link Pod} only when requested: a claim that
     * wins its first take draws one pod and derives one pod secret, not one per warm pod of the pool, and leaves
     * nothing queued when it cancels the rest ({@link RandomOrder}). Lazy; on subscription it copies the cache keys
     * of the pods labelled warm, not the pods ({@link PodInformer#keysInPoolWithState}), and reads each drawn pod from
     * the cache as it is then: one that has left the cache or stopped being claimable since is skipped. Request one
     * at a time (no prefetch) to keep it so.
     */
    public Flux<Pod> warmPodsShuffled(String image) {
        return Flux.defer(() -> RandomOrder.of(labelledWarmKeys(image)))
                .mapNotNull(key -> informer.byKey(key).orElse(null))
                .filter(this::claimableWarm)
                .mapNotNull(pod -> asPod(pod, image));
    }

    public int warmCount(String image) {
        return (int) labelledWarm(image).stream().filter(this::claimableWarm).count();
    }

    /** Pods of the image labelled warm that are not Ready yet: the leader's creations on their way. */
    public int startingCount(String image) {
        return (int) labelledWarm(image).stream()
                .filter(pod -> isWarm(pod) && !PodStates.ready(pod) && !PodStates.ended(pod) && !PodStates.terminating(pod))
                .count();
    }

    /**
     * The image's pods labelled warm, from the cache's index: never a scan of the claimed pods. A copy of every warm
     * pod, so not for the claim ({@link #warmPodsShuffled} copies keys only); the counts run when metrics are read.
     */
    private List<V1Pod> labelledWarm(String image) {
        return informer.inPoolWithState(Labels.poolValue(image), Labels.STATE_WARM);
    }

    /** The cache keys of {@link #labelledWarm}, without the pods. */
    private List<String> labelledWarmKeys(String image) {
        return informer.keysInPoolWithState(Labels.poolValue(image), Labels.STATE_WARM);
    }

    /**
     * Pods labelled claimed and not being deleted, with when they were claimed. A Job's pod, born claimed, counts from
     * when it is Ready (or has ended): before, its lease cannot exist yet — pulling an image no node has may take
     * longer than any claim grace — and its creator deletes it if it does not start.
     */
    public List<ClaimedPod> claimedPods() {
        return all().stream()
                .filter(pod -> Labels.STATE_CLAIMED.equals(PodStates.label(pod, Labels.STATE)))
                .filter(pod -> !PodStates.terminating(pod) && PodStates.label(pod, Labels.POD_ID) != null)
                .filter(pod -> !Labels.KIND_JOB.equals(PodStates.label(pod, Labels.KIND)) || PodStates.ready(pod)
                        || PodStates.ended(pod))
                .map(pod -> new ClaimedPod(PodStates.label(pod, Labels.POD_ID), claimedAt(pod)))
                .toList();
    }

    /** Whether the pod's secret was derived from this replica's pod-secret key. */
    public boolean madeUnderCurrentKey(V1Pod pod) {
        return podSecrets.keyId().equals(PodStates.label(pod, Labels.SECRET_KEY_ID));
    }

    /**
     * Takes a warm pod out of the shared warm set: relabels it {@code hearth.dev/state=claimed} by a JSON merge
     * patch carrying the resourceVersion it read, which the API server treats as a precondition (409 when stale):
     * of concurrent takers on any replicas exactly one gets {@code true}. fission's pool manager claims by a label
     * patch without that precondition, so two claimers can both win; this is the flaw it avoids. A loser re-reads
     * the pod and finds it claimed; a conflict caused by an unrelated write (a status update) is retried on the
     * fresh read. {@code false} when the pod is already claimed, gone, ended, or is a Job's pod (born claimed).
     * Reads the cache, and the API only when the cache does not hold the pod yet.
     */
    public Mono<Boolean> take(Pod pod) {
        if (pod.id().startsWith(PodCreation.JOB_PREFIX)) {
            return Mono.just(false);
        }
        Mono<V1Pod> current = Mono.defer(() -> Mono.justOrEmpty(informer.get(pod.id())))
                .switchIfEmpty(Mono.defer(() -> api.readPod(namespace, pod.id())));
        return take(pod.id(), current, TAKE_ATTEMPTS);
    }

    /** Stops the informer and its watch. */
    @Override
    public void close() {
        informer.close();
    }

    private Mono<Boolean> take(String name, Mono<V1Pod> current, int attempts) {
        return current
                .flatMap(pod -> claimable(pod) ? patchClaimed(pod) : Mono.just(false))
                .defaultIfEmpty(false)
                .onErrorResume(e -> KubernetesApi.isStatus(e, 409) && attempts > 1,
                        e -> take(name, api.readPod(namespace, name), attempts - 1));
    }

    private Mono<Boolean> patchClaimed(V1Pod pod) {
        MetadataPatch claimed = new MetadataPatch()
                .resourceVersion(pod.getMetadata().getResourceVersion())
                .label(Labels.STATE, Labels.STATE_CLAIMED)
                .annotation(Labels.CLAIMED_AT, Long.toString(System.currentTimeMillis()));
        return api.patchPodMetadata(namespace, PodStates.name(pod), claimed).thenReturn(true);
    }

    private static boolean claimable(V1Pod pod) {
        return isWarm(pod) && !PodStates.terminating(pod) && !PodStates.ended(pod);
    }

    private boolean claimableWarm(V1Pod pod) {
        return claimable(pod) && PodStates.ready(pod) && madeUnderCurrentKey(pod);
    }

    private static boolean isWarm(V1Pod pod) {
        return Labels.STATE_WARM.equals(PodStates.label(pod, Labels.STATE));
    }

    private Pod asPod(V1Pod pod, String image) {
        String id = PodStates.label(pod, Labels.POD_ID);
        String ip = PodStates.podIp(pod);
        if (id == null || ip == null) {
            return null;
        }
        return new Pod(id, image, ip, specs.apply(image).runnerPort(), podSecrets.secretOf(id), PodStates.created(pod));
    }

    private static Instant claimedAt(V1Pod pod) {
        if (Labels.KIND_JOB.equals(PodStates.label(pod, Labels.KIND))) {
            return PodStates.readySince(pod);
        }
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        String at = annotations == null ? null : annotations.get(Labels.CLAIMED_AT);
        try {
            return at != null ? Instant.ofEpochMilli(Long.parseLong(at)) : PodStates.created(pod);
        } catch (NumberFormatException e) {
            return PodStates.created(pod);
        }
    }
}
