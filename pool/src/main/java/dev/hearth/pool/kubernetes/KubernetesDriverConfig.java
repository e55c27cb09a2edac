package dev.hearth.pool.kubernetes;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Driver-wide Kubernetes settings. Immutable; each part validates itself and names the bad value.
 *
 * @param namespace  the runtime namespace (the chart's {@code runtimeNamespace}): every pod, Job and pod Secret of
 *                   the installation, of every pool, lives there — one per installation, never per pool
 * @param owner      object every pod and Job is owned by, so that uninstalling Hearth removes them;
 *                   {@code null} for none (tests, or a cluster-scoped uninstall story)
 * @param labels     extra labels on every pod and Job (e.g. {@code app.kubernetes.io/instance}); informers
 *                   also select on them, so two Hearth installations in one namespace do not see each other
 * @param retry      retries of API calls on 429, 5xx and connection errors
 * @param breaker    the per-pool circuit breaker around pod creation
 * @param reconcile  how fast reconciliation creates pods
 */
public record KubernetesDriverConfig(String namespace, Owner owner, Map<String, String> labels, Retry retry,
                                     Breaker breaker, Reconcile reconcile) {

    public KubernetesDriverConfig {
        if (namespace == null || namespace.isBlank()) {
            throw new IllegalArgumentException("namespace must not be blank, but was '" + namespace + "'");
        }
        labels = Map.copyOf(Objects.requireNonNullElse(labels, Map.of()));
        labels.keySet().stream()
                .filter(key -> key.startsWith("hearth.dev/"))
                .findFirst()
                .ifPresent(key -> {
                    throw new IllegalArgumentException("label keys under hearth.dev/ are Hearth's own, but got '"
                            + key + "'");
                });
        retry = Objects.requireNonNullElse(retry, Retry.DEFAULT);
        breaker = Objects.requireNonNullElse(breaker, Breaker.DEFAULT);
        reconcile = Objects.requireNonNullElse(reconcile, Reconcile.DEFAULT);
    }

    /** Defaults for everything but the namespace. */
    public static KubernetesDriverConfig of(String namespace) {
        return new KubernetesDriverConfig(namespace, null, Map.of(), null, null, null);
    }

    public KubernetesDriverConfig withOwner(Owner value) {
        return new KubernetesDriverConfig(namespace, value, labels, retry, breaker, reconcile);
    }

    public KubernetesDriverConfig withLabels(Map<String, String> value) {
        return new KubernetesDriverConfig(namespace, owner, value, retry, breaker, reconcile);
    }

    public KubernetesDriverConfig withRetry(Retry value) {
        return new KubernetesDriverConfig(namespace, owner, labels, value, breaker, reconcile);
    }

    public KubernetesDriverConfig withBreaker(Breaker value) {
        return new KubernetesDriverConfig(namespace, owner, labels, retry, value, reconcile);
    }

    public KubernetesDriverConfig withReconcile(Reconcile value) {
        return new KubernetesDriverConfig(namespace, owner, labels, retry, breaker, value);
    }

    /** The owner reference target: the chart's owner ConfigMap, which {@code helm uninstall} deletes. */
    public record Owner(String apiVersion, String kind, String name, String uid) {
        public Owner {
            requireText("owner.apiVersion", apiVersion);
            requireText("owner.kind", kind);
            requireText("owner.name", name);
            requireText("owner.uid", uid);
        }
    }

    /**
     * Retries of one API call: at most {@code maxRetries} after the first attempt, exponential backoff from
     * {@code minBackoff} to {@code maxBackoff} with {@code jitter} (0..1) of random spread.
     */
    public record Retry(int maxRetries, Duration minBackoff, Duration maxBackoff, double jitter) {
        public static final Retry DEFAULT = new Retry(5, Duration.ofMillis(100), Duration.ofSeconds(5), 0.5);

        public Retry {
            if (maxRetries < 0) {
                throw new IllegalArgumentException("retry.maxRetries must be >= 0, but was " + maxRetries);
            }
            requirePositive("retry.minBackoff", minBackoff);
            requirePositive("retry.maxBackoff", maxBackoff);
            if (maxBackoff.compareTo(minBackoff) < 0) {
                throw new IllegalArgumentException("retry.maxBackoff must be >= minBackoff (" + minBackoff
                        + "), but was " + maxBackoff);
            }
            if (jitter < 0 || jitter > 1) {
                throw new IllegalArgumentException("retry.jitter must be between 0 and 1, but was " + jitter);
            }
        }
    }

    /**
     * The per-pool creation breaker: opens when {@code failureRateThreshold} percent of the last
     * {@code slidingWindowSize} creations (at least {@code minimumNumberOfCalls}) failed, stays open for
     * {@code waitInOpenState}, then lets {@code permittedCallsInHalfOpenState} trial creations through.
     */
    public record Breaker(float failureRateThreshold, int slidingWindowSize, int minimumNumberOfCalls,
                          Duration waitInOpenState, int permittedCallsInHalfOpenState) {
        public static final Breaker DEFAULT = new Breaker(50, 10, 5, Duration.ofSeconds(30), 2);

        public Breaker {
            if (!(failureRateThreshold > 0 && failureRateThreshold <= 100)) {
                throw new IllegalArgumentException("breaker.failureRateThreshold must be in (0, 100], but was "
                        + failureRateThreshold);
            }
            if (slidingWindowSize < 1) {
                throw new IllegalArgumentException("breaker.slidingWindowSize must be >= 1, but was " + slidingWindowSize);
            }
            if (minimumNumberOfCalls < 1 || minimumNumberOfCalls > slidingWindowSize) {
                throw new IllegalArgumentException("breaker.minimumNumberOfCalls must be in [1, slidingWindowSize="
                        + slidingWindowSize + "], but was " + minimumNumberOfCalls);
            }
            requirePositive("breaker.waitInOpenState", waitInOpenState);
            if (permittedCallsInHalfOpenState < 1) {
                throw new IllegalArgumentException("breaker.permittedCallsInHalfOpenState must be >= 1, but was "
                        + permittedCallsInHalfOpenState);
            }
        }
    }

    /** Reconciliation creates at most {@code batchSize} pods at once and starts a batch at most every {@code batchInterval}. */
    public record Reconcile(int batchSize, Duration batchInterval) {
        public static final Reconcile DEFAULT = new Reconcile(10, Duration.ofMillis(500));

        public Reconcile {
            if (batchSize < 1) {
                throw new IllegalArgumentException("reconcile.batchSize must be >= 1, but was " + batchSize);
            }
            if (batchInterval == null || batchInterval.isNegative()) {
                throw new IllegalArgumentException("reconcile.batchInterval must be >= 0, but was " + batchInterval);
            }
        }
    }

    private static void requireText(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank, but was '" + value + "'");
        }
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, but was " + value);
        }
    }
}
