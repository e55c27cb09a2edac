package dev.hearth.pool.runtime;

import java.time.Clock;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.hearth.pool.Pod;
import dev.hearth.pool.PodPool;
import dev.hearth.pool.PooledPod;
import dev.hearth.pool.Pools;
import dev.hearth.pool.lease.Lease;
import dev.hearth.pool.lease.LeaseStore;
import dev.hearth.pool.registry.RuntimeRecord;
import dev.hearth.pool.registry.RuntimeRegistry;
import dev.hearth.pool.runtime.RuntimeObserver.Claim;
import dev.hearth.pool.runtime.RuntimeObserver.Specialize;
import dev.hearth.runner.client.RunnerCallException;
import dev.hearth.runner.client.RunnerClient;
import reactor.core.publisher.Mono;

/**
 * The creation of one runtime whose id is reserved: acquire a pod, claim its lease, specialize it, hold it and
 * register it ready. Any failure releases everything taken so far — the reservation, this replica's lease, the
 * pod (destroyed, or let go of when another holder leases it) — so a failed runtime leaves nothing behind.
 * Stateless between calls; thread-safe.
 */
final class RuntimeStarter {

    private static final Logger log = LoggerFactory.getLogger(RuntimeStarter.class);

    private final Pools pools;
    private final LeaseStore leases;
    private final RuntimeRegistry registry;
    private final RunnerClient runners;
    private final HeldRuntimes held;
    private final RuntimesConfig config;
    private final Clock clock;
    private final RuntimeObserver observer;

    RuntimeStarter(Pools pools, LeaseStore leases, RuntimeRegistry registry, RunnerClient runners,
                   HeldRuntimes held, RuntimesConfig config, Clock clock, RuntimeObserver observer) {
        this.pools = pools;
        this.leases = leases;
        this.registry = registry;
        this.runners = runners;
        this.held = held;
        this.config = config;
        this.clock = clock;
        this.observer = observer;
    }

    /**
     * Runs the creation of {@code pending}'s runtime; emits it held and registered ready. The image must have a
     * pool (callers check before reserving the id).
     */
    Mono<HeldRuntime> start(RuntimeRecord pending, RuntimeSpec spec, SourceArchive source, double reserveMs) {
        return Mono.defer(() -> {
            long started = System.nanoTime();
            PodPool pool = pools.forRuntime(spec.poolRequest());
            // Read while the pod is acquired and leased; held until the creation has ended either way.
            SourceAhead ahead = SourceAhead.start(source);
            return pool.acquire()
                    // Nothing was taken yet but the reservation.
                    .onErrorResume(error -> unreserve(spec.runtimeId()).then(Mono.error(error)))
                    .flatMap(pod -> load(pending, spec, pool, pod, ahead,
                            new CreationTimings(reserveMs, millisSince(started), 0, 0, 0, 0, 0, 0)))
                    .doFinally(signal -> ahead.release());
        });
    }

    private Mono<HeldRuntime> load(RuntimeRecord pending, RuntimeSpec spec, PodPool pool, PooledPod pod,
                                   SourceAhead source, CreationTimings acquired) {
        long started = System.nanoTime();
        return claim(spec.image(), pod.pod())
                .flatMap(lease -> specialize(pending, spec, pool, pod, lease, source,
                        new CreationTimings(acquired.reserveMs(), acquired.acquireMs(), millisSince(started),
                                0, 0, 0, 0, 0)))
                .onErrorResume(error -> giveUp(spec.runtimeId(), pod, error));
    }

    private Mono<Lease> claim(String image, Pod pod) {
        long started = System.nanoTime();
        return leases.claim(pod.id(), config.replicaId(), config.leaseTtl())
                .doOnNext(lease -> claimed(image, Claim.CLAIMED, started))
                .doOnError(error -> claimed(image, Claim.of(error), started))
                .switchIfEmpty(Mono.error(() -> {
                    claimed(image, Claim.TAKEN, started);
                    return new LeasedElsewhereException(pod.id());
                }));
    }

    private Mono<HeldRuntime> specialize(RuntimeRecord pending, RuntimeSpec spec, PodPool pool, PooledPod pod,
                                         Lease lease, SourceAhead source, CreationTimings leased) {
        long started = System.nanoTime();
        Pod p = pod.pod();
        return source.body()
                .flatMap(body -> runners.specialize(p.target(lease.token()), spec.specialization(pool.config()), body)
                        .onErrorMap(RunnerCallException.class, e -> new RuntimeStartException(e.detail(), e)))
                .map(answer -> new HeldRuntime(readyRecord(pending, p, lease), pod, lease,
                        new CreationTimings(leased.reserveMs(), leased.acquireMs(), leased.leaseMs(),
                                millisSince(started), source.readMillisAfter(started),
                                answer.extractMs(), answer.startMs(), 0)))
                .flatMap(this::holdAndRegister)
                .doOnNext(runtime -> specialized(spec.image(), Specialize.READY, started))
                .doOnError(error -> specialized(spec.image(), Specialize.of(error), started))
                .doOnNext(runtime -> log.info("Runtime {} ready on pod {} in {} ms", spec.runtimeId(), p.id(),
                        Duration.between(pending.created(), clock.instant()).toMillis()));
    }

    private RuntimeRecord readyRecord(RuntimeRecord pending, Pod pod, Lease lease) {
        return new RuntimeRecord(pending.runtimeId(), pending.image(), pending.version(), RuntimeRecord.READY,
                pod.id(), pod.host(), pod.port(), pod.secret(), lease.token(), config.replicaId(), pending.created(),
                clock.instant());
    }

    /**
     * Held before it is registered ready, so that from the moment any replica sees it ready, this one counts its
     * executions. If the registry no longer has it (deleted meanwhile), the creation fails.
     */
    private Mono<HeldRuntime> holdAndRegister(HeldRuntime runtime) {
        long started = System.nanoTime();
        held.hold(runtime);
        return registry.update(runtime.record())
                .doOnNext(updated -> runtime.creationTimed(runtime.timings().registered(millisSince(started))))
                .flatMap(updated -> updated ? Mono.just(runtime)
                        : Mono.error(new RuntimeNotFoundException("Runtime no longer exists.")))
                .onErrorResume(error -> held.withdraw(runtime) ? Mono.error(error)
                        // Ended meanwhile by whoever deleted it: lease and pod are released already.
                        : Mono.error(new RuntimeNotFoundException("Runtime no longer exists.")));
    }

    /**
     * Releases what the creation took: its reservation, this replica's lease on the pod (whatever the claim's
     * answer was — a claim that timed out may have won), and the pod — destroyed, or let go of when another
     * holder leases it, since that holder's runtime lives on it.
     */
    private Mono<HeldRuntime> giveUp(String runtimeId, PooledPod pod, Throwable error) {
        Runnable letGo = error instanceof LeasedElsewhereException ? pod::abandon : pod::invalidate;
        return unreserve(runtimeId)
                .then(leases.current(pod.pod().id()))
                .filter(lease -> config.replicaId().equals(lease.holder()))
                .flatMap(leases::release)
                .onErrorResume(cleanup -> Mono.empty())
                // Before the error goes on, so that whoever sees it finds the pod ended; ends are idempotent.
                .then(Mono.fromRunnable(letGo))
                .doOnCancel(letGo)
                .then(Mono.error(error));
    }

    private Mono<Void> unreserve(String runtimeId) {
        return registry.remove(runtimeId)
                .onErrorResume(error -> {
                    log.warn("Removing the reservation of runtime {} failed; it is removed as an orphan later: {}",
                            runtimeId, error.toString());
                    return Mono.empty();
                })
                .then();
    }

    private void claimed(String image, Claim outcome, long started) {
        observer.leaseClaimed(image, outcome, System.nanoTime() - started);
    }

    private void specialized(String image, Specialize outcome, long started) {
        observer.specialized(image, outcome, System.nanoTime() - started);
    }

    private static double millisSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1_000_000.0;
    }

    /** The pod the pool handed out is leased by another holder: it serves someone else's runtime. */
    static final class LeasedElsewhereException extends IllegalStateException {
        LeasedElsewhereException(String podId) {
            super("pod " + podId + " is leased by another holder");
        }
    }
}
