package dev.hearth.pool.kubernetes.harness;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Secret;

/**
 * The part of Kubernetes' garbage collector the harness needs: when a pod or Job is deleted, the Secrets it owns
 * (ownerReferences naming its uid) are deleted too. The mock API server has no controllers at all.
 */
final class GarbageCollector {

    private static final Logger log = LoggerFactory.getLogger(GarbageCollector.class);

    private GarbageCollector() {
    }

    static void deleteSecretsOwnedBy(CoreV1Api core, String namespace, String ownerUid) {
        if (ownerUid == null) {
            return;
        }
        try {
            for (V1Secret secret : core.listNamespacedSecret(namespace).execute().getItems()) {
                boolean owned = secret.getMetadata().getOwnerReferences() != null && secret.getMetadata()
                        .getOwnerReferences().stream().anyMatch(ref -> ownerUid.equals(ref.getUid()));
                if (owned) {
                    core.deleteNamespacedSecret(secret.getMetadata().getName(), namespace).execute();
                }
            }
        } catch (ApiException e) {
            if (e.getCode() != 404) {
                log.warn("Simulated garbage collector could not delete Secrets of {}: HTTP {}", ownerUid, e.getCode());
            }
        }
    }
}
