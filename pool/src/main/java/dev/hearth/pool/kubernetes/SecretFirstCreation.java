package dev.hearth.pool.kubernetes;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import reactor.core.publisher.Mono;

/**
 * Creates a pod or Job together with its Secret ({@link PodSecrets}): the Secret first, so the pod never waits
 * for it; then the pod or Job; then the Secret handed over to it (ownerReferences), so the garbage collector
 * deletes the Secret with its pod, whoever deletes the pod. Until the handover the Secret is owned by the
 * installation's owner.
 *
 * <p>Whatever ends the creation, the Secret is not left behind: when the pod or Job could not be created (or
 * came back empty), or the creation is cancelled before it was, the Secret is deleted; when it is cancelled
 * after, the handover still happens. Only a failed handover leaves the Secret with the installation's owner, to
 * go at uninstall (logged).
 */
final class SecretFirstCreation {

    private static final Logger log = LoggerFactory.getLogger(SecretFirstCreation.class);

    private final KubernetesApi api;
    private final PodTemplates templates;
    private final PodSecrets podSecrets;

    SecretFirstCreation(KubernetesApi api, PodTemplates templates, PodSecrets podSecrets) {
        this.api = api;
        this.templates = templates;
        this.podSecrets = podSecrets;
    }

    /**
     * @param name     the pod's (or Job's) name, which its Secret shares
     * @param creation creates the pod or Job; emits it as stored (with its uid)
     * @param metaOf   the stored object's metadata
     * @param apiVersion and {@code kind}: of the created object, for the owner reference
     */
    <T> Mono<T> create(String namespace, String name, KubernetesPoolSpec spec, Mono<T> creation,
                       Function<T, V1ObjectMeta> metaOf, String apiVersion, String kind) {
        return Mono.defer(() -> {
            AtomicBoolean settled = new AtomicBoolean();
            AtomicReference<T> created = new AtomicReference<>();
            Function<T, Mono<Void>> handOver = object -> handOver(namespace, name, owner(apiVersion, kind, metaOf.apply(object)));
            return api.createSecret(namespace, templates.secret(name, spec, podSecrets.secretOf(name)))
                    .then(creation.switchIfEmpty(Mono.error(() -> new PodStartException(
                            kind + " " + name + " was not created"))))
                    .doOnNext(created::set)
                    .onErrorResume(error -> settled.compareAndSet(false, true)
                            ? deleteSecret(namespace, name).then(Mono.error(error))
                            : Mono.error(error))
                    .flatMap(object -> handOver.apply(object).thenReturn(object))
                    .doOnNext(object -> settled.set(true))
                    .doOnCancel(() -> {
                        if (settled.compareAndSet(false, true)) {
                            T object = created.get();
                            (object == null ? deleteSecret(namespace, name) : handOver.apply(object))
                                    .subscribe(null, error -> log.warn("Cleaning up Secret {} after a cancelled"
                                            + " creation failed: {}", name, KubernetesApi.describe(error)));
                        }
                    });
        });
    }

    private Mono<Void> handOver(String namespace, String name, V1OwnerReference owner) {
        if (owner == null) {
            return Mono.empty();
        }
        return api.ownSecret(namespace, name, owner)
                .onErrorResume(error -> {
                    log.warn("Secret {} stays with the installation's owner until uninstall: {}", name,
                            KubernetesApi.describe(error));
                    return Mono.empty();
                });
    }

    private Mono<Void> deleteSecret(String namespace, String name) {
        return api.deleteSecret(namespace, name).onErrorResume(error -> {
            log.warn("Deleting Secret {} failed; it goes at uninstall: {}", name, KubernetesApi.describe(error));
            return Mono.empty();
        });
    }

    private static V1OwnerReference owner(String apiVersion, String kind, V1ObjectMeta created) {
        if (created == null || created.getUid() == null) {
            return null;
        }
        return new V1OwnerReference().apiVersion(apiVersion).kind(kind).name(created.getName())
                .uid(created.getUid()).blockOwnerDeletion(false).controller(false);
    }
}
