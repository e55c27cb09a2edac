package dev.hearth.pool.kubernetes;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.kubernetes.client.openapi.models.V1Lease;
import io.kubernetes.client.openapi.models.V1LeaseSpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import dev.hearth.pool.Periodic;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * Leader election over a {@code coordination.k8s.io/v1} Lease, as client-go's leaderelection does it
 * (client-java-extended, which had one, is no longer published). Every {@code retryPeriod} each candidate
 * reads the Lease: the holder renews it; another candidate takes it only when it is free (released) or has
 * not changed for the holder's lease duration, measured on the local clock from when this candidate last saw
 * it change (so clock skew between replicas does not matter). Writes carry the read resourceVersion, so of
 * two candidates taking a Lease at once exactly one succeeds.
 *
 * <p>A leader that cannot renew for {@code renewDeadline} (shorter than the lease duration) stops leading
 * before anyone else may start. {@link #close()} releases the Lease, so a successor takes over at its next
 * retry instead of after the lease duration.
 */
public final class LeaderElection implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

    /**
     * @param leaseDuration how long a Lease that stopped changing still belongs to its holder; whole seconds
     * @param renewDeadline how long a leader keeps leading without a successful renewal; < leaseDuration
     * @param retryPeriod   time between attempts; < renewDeadline
     */
    public record Settings(String namespace, String leaseName, String identity, Duration leaseDuration,
                           Duration renewDeadline, Duration retryPeriod) {
        public Settings {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(leaseName, "leaseName");
            if (identity == null || identity.isBlank()) {
                throw new IllegalArgumentException("identity must not be blank, but was '" + identity + "'");
            }
            if (leaseDuration == null || leaseDuration.toMillis() % 1000 != 0 || leaseDuration.getSeconds() < 1) {
                throw new IllegalArgumentException("leaseDuration must be whole seconds >= 1s, but was " + leaseDuration);
            }
            if (renewDeadline == null || renewDeadline.isNegative() || renewDeadline.compareTo(leaseDuration) >= 0) {
                throw new IllegalArgumentException("renewDeadline must be between 0 and leaseDuration (" + leaseDuration
                        + "), but was " + renewDeadline);
            }
            if (retryPeriod == null || retryPeriod.isZero() || retryPeriod.isNegative()
                    || retryPeriod.compareTo(renewDeadline) >= 0) {
                throw new IllegalArgumentException("retryPeriod must be between 0 and renewDeadline (" + renewDeadline
                        + "), but was " + retryPeriod);
            }
        }
    }

    private final KubernetesApi api;
    private final Settings settings;
    private final Sinks.Many<Boolean> leadership = Sinks.many().replay().latest();
    private final AtomicBoolean leader = new AtomicBoolean();
    private volatile Periodic loop;
    // Touched only by the loop, one attempt at a time.
    private String observedVersion;
    private long observedAtNanos;
    private long lastRenewNanos;

    public LeaderElection(KubernetesApi api, Settings settings) {
        this.api = api;
        this.settings = settings;
        leadership.tryEmitNext(false);
    }

    /**
     * Starts campaigning: an attempt at once, then one {@code retryPeriod} after each attempt ends ({@link Periodic}:
     * a slow attempt delays the next, a failing one is retried, the loop never stops until closed). Idempotent.
     */
    public synchronized LeaderElection start() {
        if (loop == null) {
            loop = Periodic.start("Leader election of " + settings.leaseName(), Duration.ZERO, settings.retryPeriod(),
                    () -> attempt().doOnNext(this::record), Schedulers.parallel());
        }
        return this;
    }

    /** Whether this replica leads now. */
    public boolean isLeader() {
        return leader.get();
    }

    /** Leadership changes, starting with the current state; hot, completes on close. */
    public Flux<Boolean> leadership() {
        return leadership.asFlux().distinctUntilChanged();
    }

    /** Stops campaigning and, when leading, releases the Lease (waits up to the renew deadline). */
    @Override
    public void close() {
        stopCampaigning();
        if (leader.getAndSet(false)) {
            try {
                release().block(settings.renewDeadline());
            } catch (RuntimeException e) {
                log.warn("Releasing lease {} failed; it expires in {}", settings.leaseName(), settings.leaseDuration());
            }
        }
        leadership.tryEmitNext(false);
        leadership.tryEmitComplete();
    }

    /** Stops without releasing, as a crashed replica would. For tests. */
    void stopCampaigning() {
        Periodic current = loop;
        if (current != null) {
            current.close();
        }
    }

    private Mono<Boolean> attempt() {
        return api.readLease(settings.namespace(), settings.leaseName())
                .flatMap(this::takeOrRenew)
                .switchIfEmpty(Mono.defer(this::create))
                .timeout(settings.renewDeadline())
                .onErrorResume(error -> {
                    log.debug("Lease {} attempt failed: {}", settings.leaseName(), KubernetesApi.describe(error));
                    return Mono.just(false);
                });
    }

    private void record(boolean holding) {
        long now = System.nanoTime();
        if (holding) {
            lastRenewNanos = now;
        }
        boolean leading = holding || (leader.get() && now - lastRenewNanos < settings.renewDeadline().toNanos());
        if (leader.getAndSet(leading) != leading) {
            log.info("{} {} leadership of lease {}", settings.identity(), leading ? "acquired" : "lost", settings.leaseName());
            leadership.tryEmitNext(leading);
        }
    }

    private Mono<Boolean> create() {
        OffsetDateTime now = OffsetDateTime.now();
        V1Lease lease = new V1Lease()
                .apiVersion("coordination.k8s.io/v1")
                .kind("Lease")
                .metadata(new V1ObjectMeta().name(settings.leaseName()).namespace(settings.namespace()))
                .spec(new V1LeaseSpec()
                        .holderIdentity(settings.identity())
                        .leaseDurationSeconds((int) settings.leaseDuration().getSeconds())
                        .acquireTime(now)
                        .renewTime(now)
                        .leaseTransitions(0));
        return api.createLease(settings.namespace(), lease)
                .thenReturn(true)
                .onErrorResume(e -> KubernetesApi.isStatus(e, 409), e -> Mono.just(false));
    }

    private Mono<Boolean> takeOrRenew(V1Lease lease) {
        V1LeaseSpec spec = Objects.requireNonNullElseGet(lease.getSpec(), V1LeaseSpec::new);
        String version = lease.getMetadata().getResourceVersion();
        if (!Objects.equals(version, observedVersion)) {
            observedVersion = version;
            observedAtNanos = System.nanoTime();
        }
        String holder = spec.getHolderIdentity();
        boolean mine = settings.identity().equals(holder);
        boolean free = holder == null || holder.isEmpty();
        if (!mine && !free && !expired(spec)) {
            return Mono.just(false);
        }
        OffsetDateTime now = OffsetDateTime.now();
        spec.holderIdentity(settings.identity())
                .leaseDurationSeconds((int) settings.leaseDuration().getSeconds())
                .renewTime(now);
        if (!mine) {
            spec.acquireTime(now).leaseTransitions(Objects.requireNonNullElse(spec.getLeaseTransitions(), 0) + 1);
        }
        lease.spec(spec);
        return api.replaceLease(settings.namespace(), lease)
                .thenReturn(true)
                .onErrorResume(e -> KubernetesApi.isStatus(e, 409), e -> Mono.just(false));
    }

    private boolean expired(V1LeaseSpec spec) {
        int seconds = Objects.requireNonNullElse(spec.getLeaseDurationSeconds(), (int) settings.leaseDuration().getSeconds());
        return System.nanoTime() - observedAtNanos > Duration.ofSeconds(seconds).toNanos();
    }

    /** Marks the Lease free (no holder, 1 s duration), only if this replica still holds it. */
    private Mono<Void> release() {
        return api.readLease(settings.namespace(), settings.leaseName())
                .filter(lease -> lease.getSpec() != null && settings.identity().equals(lease.getSpec().getHolderIdentity()))
                .flatMap(lease -> {
                    lease.getSpec().holderIdentity("").leaseDurationSeconds(1).renewTime(OffsetDateTime.now());
                    return api.replaceLease(settings.namespace(), lease);
                })
                .then();
    }
}
