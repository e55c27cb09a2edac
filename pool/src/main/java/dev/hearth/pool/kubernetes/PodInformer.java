package dev.hearth.pool.kubernetes;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * Hearth's pods of one namespace as an informer sees them: a cache kept by list + watch (never by polling)
 * and a hot stream of changes. Filtered server-side by a label selector (the existence of
 * {@code hearth.dev/pool} plus the installation's labels).
 *
 * <p>Threading: events are emitted on the informer's handler thread, one at a time; subscribers must not
 * block it. {@link #get}, {@link #pods} and the other lookups read the cache and never block.
 */
public final class PodInformer implements AutoCloseable {

    private static final String BY_POOL_STATE = "pool-state";
    private static final String BY_POD_ID = "pod-id";

    private static final Logger log = LoggerFactory.getLogger(PodInformer.class);
    private static final long RESYNC_MILLIS = 0;

    /** One change seen by the informer; for {@link Type#DELETED}, {@code pod} is the last state known. */
    public record PodEvent(Type type, V1Pod pod) {
        public enum Type { ADDED, UPDATED, DELETED }

        public String name() {
            return pod.getMetadata().getName();
        }
    }

    private final String namespace;
    private final ApiClient watchClient;
    private final SharedInformerFactory factory;
    private final SharedIndexInformer<V1Pod> informer;
    private final Sinks.Many<PodEvent> events = Sinks.many().multicast().directBestEffort();

    /**
     * @param watchClient a client whose read timeout is 0, since a watch stays open for minutes; owned by
     *                    this informer from now on (its calls are cancelled on close)
     */
    public PodInformer(ApiClient watchClient, String namespace, String labelSelector) {
        this.namespace = namespace;
        this.watchClient = watchClient;
        CoreV1Api core = new CoreV1Api(watchClient);
        this.factory = new SharedInformerFactory(watchClient);
        this.informer = factory.sharedIndexInformerFor(
                params -> core.listNamespacedPod(namespace)
                        .labelSelector(labelSelector)
                        .resourceVersion(params.resourceVersion)
                        .timeoutSeconds(params.timeoutSeconds)
                        .watch(params.watch)
                        .buildCall(null),
                V1Pod.class, V1PodList.class, RESYNC_MILLIS,
                (type, error) -> log.debug("Pod informer of {} failed, relisting: {}", namespace, error.toString()));
        // Indexed by the labels claims and creations look pods up by, so that neither scans the whole cache: with
        // thousands of claimed pods a claim would otherwise filter every one of them (bench/k8s-scale.sh).
        informer.addIndexers(Map.of(
                BY_POOL_STATE, pod -> poolState(pod),
                BY_POD_ID, pod -> label(pod, Labels.POD_ID)));
        informer.addEventHandler(new Handler());
    }

    public String namespace() {
        return namespace;
    }

    /**
     * Starts list + watch and completes once the first list is in the cache, or errors after {@code timeout}.
     * Waiting for that one sync polls {@code hasSynced()} on a bounded-elastic thread; pod state never is.
     */
    public Mono<Void> start(Duration timeout) {
        return Mono.<Void>fromRunnable(factory::startAllRegisteredInformers)
                .then(Flux.interval(Duration.ofMillis(20), Schedulers.boundedElastic())
                        .filter(tick -> informer.hasSynced())
                        .next()
                        .timeout(timeout)
                        .then())
                .subscribeOn(Schedulers.boundedElastic());
    }

    /** Changes from now on; hot, never completes while open. */
    public Flux<PodEvent> events() {
        return events.asFlux();
    }

    /** The cached pod named {@code name}. */
    public Optional<V1Pod> get(String name) {
        return byKey(namespace + "/" + name);
    }

    /** The cached pod under the cache key {@code key} (as {@link #keysInPoolWithState} hands out); empty once gone. */
    public Optional<V1Pod> byKey(String key) {
        return Optional.ofNullable(informer.getIndexer().getByKey(key));
    }

    /** Every cached pod. */
    public List<V1Pod> pods() {
        return informer.getIndexer().list();
    }

    /** Cached pods whose label {@code key} is {@code value}; a scan of the whole cache (see the indexed lookups). */
    public List<V1Pod> withLabel(String key, String value) {
        return pods().stream()
                .filter(pod -> value.equals(PodStates.label(pod, key)))
                .toList();
    }

    /**
     * Cached pods labelled with pool {@code pool} and state {@code state}: an index lookup, no scan, but a copy of
     * every such pod, each looked up by its key, under the cache's lock.
     */
    public List<V1Pod> inPoolWithState(String pool, String state) {
        return informer.getIndexer().byIndex(BY_POOL_STATE, pool + "/" + state);
    }

    /**
     * The cache keys of the pods {@link #inPoolWithState} would return, as they are now; read each with
     * {@link #byKey}. Still a copy under the cache's lock, but of the index's key references alone: client-java's
     * {@code Cache.byIndex} also looks every pod up by its key, which with thousands of pods costs more than twice as
     * much (bench/RESULTS.md, Scale). Unmodifiable.
     */
    public List<String> keysInPoolWithState(String pool, String state) {
        return Collections.unmodifiableList(informer.getIndexer().indexKeys(BY_POOL_STATE, pool + "/" + state));
    }

    /** Cached pods labelled with pod id {@code podId}: an index lookup, no scan. */
    public List<V1Pod> withPodId(String podId) {
        return informer.getIndexer().byIndex(BY_POD_ID, podId);
    }

    private static List<String> poolState(V1Pod pod) {
        String pool = PodStates.label(pod, Labels.POOL);
        String state = PodStates.label(pod, Labels.STATE);
        return pool == null || state == null ? List.of() : List.of(pool + "/" + state);
    }

    private static List<String> label(V1Pod pod, String key) {
        String value = PodStates.label(pod, key);
        return value == null ? List.of() : List.of(value);
    }

    /** Stops the informer and cancels the watch client's calls, so no watch stays open unread. */
    @Override
    public void close() {
        factory.stopAllRegisteredInformers(true);
        watchClient.getHttpClient().dispatcher().cancelAll();
        events.tryEmitComplete();
    }

    private void emit(PodEvent.Type type, V1Pod pod) {
        synchronized (events) {
            events.tryEmitNext(new PodEvent(type, pod));
        }
    }

    private final class Handler implements ResourceEventHandler<V1Pod> {
        @Override
        public void onAdd(V1Pod pod) {
            emit(PodEvent.Type.ADDED, pod);
        }

        @Override
        public void onUpdate(V1Pod oldPod, V1Pod newPod) {
            emit(PodEvent.Type.UPDATED, newPod);
        }

        @Override
        public void onDelete(V1Pod pod, boolean deletedFinalStateUnknown) {
            emit(PodEvent.Type.DELETED, pod);
        }
    }
}
