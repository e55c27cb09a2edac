package dev.hearth.pool.kubernetes;

import java.io.IOException;
import java.util.concurrent.Callable;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoordinationV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1DeleteOptions;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1Lease;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.util.PatchUtils;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * The one adapter over the blocking official client. Every call is lazy, runs on
 * {@link Schedulers#boundedElastic()} (never on the caller's event loop), and is retried with exponential
 * backoff and jitter on 429, 5xx and connection errors. Other errors (4xx) are the caller's to handle;
 * {@link #isStatus(Throwable, int)} tells them apart. Thread-safe.
 *
 * <p>Failure policy: a retried create may find its own first attempt already applied (the request reached
 * the server, the answer got lost); names are random per attempt sequence, so 409 on create after a retry is
 * read back as success.
 */
public final class KubernetesApi {

    private static final Logger log = LoggerFactory.getLogger(KubernetesApi.class);

    private final ApiClient client;
    private final CoreV1Api core;
    private final BatchV1Api batch;
    private final CoordinationV1Api coordination;
    private final KubernetesDriverConfig.Retry retry;

    /** @param client the request client (a finite read timeout); watches use their own client */
    public KubernetesApi(ApiClient client, KubernetesDriverConfig config) {
        this.client = client;
        this.core = new CoreV1Api(client);
        this.batch = new BatchV1Api(client);
        this.coordination = new CoordinationV1Api(client);
        this.retry = config.retry();
    }

    public Mono<V1Pod> createPod(String namespace, V1Pod pod) {
        String name = pod.getMetadata().getName();
        return call("create pod " + name, () -> core.createNamespacedPod(namespace, pod).execute())
                .onErrorResume(e -> isStatus(e, 409), e -> readPod(namespace, name));
    }

    /** The pod, or empty when it does not exist. */
    public Mono<V1Pod> readPod(String namespace, String name) {
        return call("read pod " + name, () -> core.readNamespacedPod(name, namespace).execute())
                .onErrorResume(e -> isStatus(e, 404), e -> Mono.empty());
    }

    /** Completes when the pod is gone; 404 counts as gone. */
    public Mono<Void> deletePod(String namespace, String name) {
        return call("delete pod " + name, () -> core.deleteNamespacedPod(name, namespace).execute())
                .onErrorResume(e -> isStatus(e, 404), e -> Mono.empty())
                .then();
    }

    /** Merge-patches the pod's metadata; a resourceVersion in the patch is a precondition: 409 when stale. */
    public Mono<V1Pod> patchPodMetadata(String namespace, String name, MetadataPatch patch) {
        V1Patch body = new V1Patch(patch.toJson(client.getJSON()));
        return call("patch pod " + name, () -> PatchUtils.patch(V1Pod.class,
                () -> core.patchNamespacedPod(name, namespace, body).buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client));
    }

    public Mono<V1Job> createJob(String namespace, V1Job job) {
        String name = job.getMetadata().getName();
        return call("create job " + name, () -> batch.createNamespacedJob(namespace, job).execute())
                // Names are random: a conflict is this call's own earlier attempt, answered too late. The stored
                // Job (with its uid) is read back, so its Secret can still be handed over to it.
                .onErrorResume(e -> isStatus(e, 409), e -> readJob(namespace, name));
    }

    /** The Job, or empty when it does not exist. */
    public Mono<V1Job> readJob(String namespace, String name) {
        return call("read job " + name, () -> batch.readNamespacedJob(name, namespace).execute())
                .onErrorResume(e -> isStatus(e, 404), e -> Mono.empty());
    }

    /** Deletes the Job and, through background propagation, its pods; 404 counts as gone. */
    public Mono<Void> deleteJob(String namespace, String name) {
        return call("delete job " + name, () -> batch.deleteNamespacedJob(name, namespace)
                .propagationPolicy("Background")
                .body(new V1DeleteOptions().propagationPolicy("Background"))
                .execute())
                .onErrorResume(e -> isStatus(e, 404), e -> Mono.empty())
                .then();
    }

    public Mono<V1Secret> createSecret(String namespace, V1Secret secret) {
        String name = secret.getMetadata().getName();
        return call("create secret " + name, () -> core.createNamespacedSecret(namespace, secret).execute())
                .onErrorResume(e -> isStatus(e, 409), e -> Mono.just(secret));
    }

    /** The Secrets matching {@code labelSelector}. */
    public Mono<java.util.List<V1Secret>> listSecrets(String namespace, String labelSelector) {
        return call("list secrets", () -> core.listNamespacedSecret(namespace).labelSelector(labelSelector).execute()
                .getItems());
    }

    /** Completes when the Secret is gone; 404 counts as gone. */
    public Mono<Void> deleteSecret(String namespace, String name) {
        return call("delete secret " + name, () -> core.deleteNamespacedSecret(name, namespace).execute())
                .onErrorResume(e -> isStatus(e, 404), e -> Mono.empty())
                .then();
    }

    /** Makes {@code owner} the only owner of the Secret, so the garbage collector deletes it with the owner. */
    public Mono<Void> ownSecret(String namespace, String name, V1OwnerReference owner) {
        V1Patch body = new V1Patch(new MetadataPatch().onlyOwner(owner).toJson(client.getJSON()));
        return call("own secret " + name, () -> PatchUtils.patch(V1Secret.class,
                () -> core.patchNamespacedSecret(name, namespace, body).buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client))
                .then();
    }

    /**
     * The owner of every pod and Job: the ConfigMap {@code name}, which uninstalling Hearth deletes. Errors with a
     * message saying what to create when it is missing: pods without their owner would outlive the installation.
     */
    public Mono<KubernetesDriverConfig.Owner> ownerConfigMap(String namespace, String name) {
        return call("read configmap " + name, () -> core.readNamespacedConfigMap(name, namespace).execute())
                .onErrorMap(e -> isStatus(e, 404), e -> new IllegalStateException("owner ConfigMap '" + name
                        + "' not found in namespace '" + namespace + "': create it (the Helm chart does) or unset"
                        + " hearth.kubernetes.owner-config-map"))
                .map(map -> new KubernetesDriverConfig.Owner("v1", "ConfigMap", name, map.getMetadata().getUid()));
    }

    /** The Lease, or empty when it does not exist. */
    public Mono<V1Lease> readLease(String namespace, String name) {
        return call("read lease " + name, () -> coordination.readNamespacedLease(name, namespace).execute())
                .onErrorResume(e -> isStatus(e, 404), e -> Mono.empty());
    }

    /** Errors with 409 when another replica created it first; not retried past that. */
    public Mono<V1Lease> createLease(String namespace, V1Lease lease) {
        return call("create lease", () -> coordination.createNamespacedLease(namespace, lease).execute());
    }

    /** Replaces with the lease's resourceVersion as precondition: 409 when someone else wrote it first. */
    public Mono<V1Lease> replaceLease(String namespace, V1Lease lease) {
        String name = lease.getMetadata().getName();
        return call("replace lease " + name, () -> coordination.replaceNamespacedLease(name, namespace, lease).execute());
    }

    /** Runs one blocking client call off the caller's thread, retried on transient errors. */
    public <T> Mono<T> call(String operation, Callable<T> blocking) {
        return Mono.fromCallable(blocking)
                .subscribeOn(Schedulers.boundedElastic())
                .retryWhen(Retry.backoff(retry.maxRetries(), retry.minBackoff())
                        .maxBackoff(retry.maxBackoff())
                        .jitter(retry.jitter())
                        .filter(KubernetesApi::retryable)
                        .doBeforeRetry(signal -> log.debug("Retrying {} after {}", operation, describe(signal.failure())))
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
    }

    /** Whether {@code error} is an API answer with this HTTP status. */
    public static boolean isStatus(Throwable error, int status) {
        return error instanceof ApiException api && api.getCode() == status;
    }

    /** 429, 5xx, or no answer at all (connection refused or reset, timeout). */
    static boolean retryable(Throwable error) {
        if (error instanceof ApiException api) {
            int code = api.getCode();
            return code == 429 || code >= 500 || (code == 0 && api.getCause() instanceof IOException);
        }
        return error instanceof IOException;
    }

    static String describe(Throwable error) {
        return error instanceof ApiException api ? "HTTP " + api.getCode() + " " + api.getMessage() : error.toString();
    }
}
