package dev.hearth.pool.kubernetes;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.kubernetes.client.openapi.models.V1Secret;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The leader's sweep of pod Secrets whose pod (or Job's pod) is gone. A Secret is handed over to its pod right
 * after the pod is created, and the garbage collector removes it with the pod; this catches what that misses:
 * a handover or a clean-up deletion that failed while the API server was failing, or a replica that died in
 * between. Only Secrets older than {@code grace} are considered, so a pod still being created keeps its Secret.
 */
final class SecretSweeper {

    private static final Logger log = LoggerFactory.getLogger(SecretSweeper.class);

    private final KubernetesApi api;
    private final ClusterPods pods;
    private final String namespace;
    private final String selector;
    private final Duration grace;

    /** @param pods the cache that tells which pods exist */
    SecretSweeper(KubernetesApi api, ClusterPods pods, KubernetesDriverConfig config, Duration grace) {
        this.api = api;
        this.pods = pods;
        this.namespace = config.namespace();
        this.selector = secretSelector(config);
        this.grace = grace;
    }

    /** One sweep of the runtime namespace; completes with how many Secrets it deleted. */
    Mono<Integer> sweep() {
        return pods.start().then(Mono.defer(() -> {
            Instant cutoff = Instant.now().minus(grace);
            return api.listSecrets(namespace, selector)
                    .flatMap(secrets -> {
                        Set<String> podIds = pods.all().stream()
                                .map(pod -> PodStates.label(pod, Labels.POD_ID))
                                .filter(Objects::nonNull)
                                .collect(Collectors.toSet());
                        return Flux.fromIterable(secrets)
                                .filter(secret -> created(secret).isBefore(cutoff))
                                .map(secret -> secret.getMetadata().getName())
                                .filter(name -> !podIds.contains(name))
                                .concatMap(this::delete)
                                .reduce(0, Integer::sum);
                    });
        }));
    }

    private Mono<Integer> delete(String name) {
        log.info("Deleting Secret {}: its pod is gone", name);
        return api.deleteSecret(namespace, name).thenReturn(1);
    }

    /** Pod Secrets of this installation: Hearth's, with a pod id, and the installation's labels. */
    private static String secretSelector(KubernetesDriverConfig config) {
        StringBuilder selector = new StringBuilder(Labels.POD_ID)
                .append(',').append(Labels.MANAGED_BY).append('=').append(Labels.MANAGED_BY_VALUE);
        config.labels().forEach((key, value) -> selector.append(',').append(key).append('=').append(value));
        return selector.toString();
    }

    /** When the Secret was created; one without a timestamp counts as just created, so it is never swept blindly. */
    private static Instant created(V1Secret secret) {
        OffsetDateTime created = secret.getMetadata().getCreationTimestamp();
        return created == null ? Instant.MAX : created.toInstant();
    }
}
