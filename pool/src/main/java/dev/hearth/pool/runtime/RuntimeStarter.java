package dev.hearth.pool.runtime;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.hearth.pool.Pod;
import dev.hearth.pool.PodPool;
import dev.hearth.pool.PooledPod;
import dev.hearth.pool.lease.Lease;
import dev.hearth.pool.lease.LeaseStore;
import dev.hearth.pool.registry.RuntimeRecord;
import dev.hearth.pool.registry.RuntimeRegistry;
import dev.hearth.pool.runtime.RuntimeObserver.Claim;
import dev.hearth.pool.runtime.RuntimeObserver.Specialize;
import dev.hearth.runner.client.RunnerCallException;
import dev.hearth.runner.client.RunnerClient;
import dev.hearth.runner.client.RunnerTarget;
import dev.hearth.runner.protocol.Specialization;
import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Mono;

/**
 * The creation path of a runtime, after its id is reserved: acquire a pod, lease it, specialize it,
 * register it ready and hold it. Any failure releases everything taken so far (see {@link Runtimes}).
 * Shares {@code held} and {@code creations} with {@link Runtimes}; thread-safe like them.
 */
final class RuntimeStarter {

    private static final Logger log = LoggerFactory.getLogger(RuntimeStarter.class);

    private final LeaseStore leases;
    private final RuntimeRegistry registry;
    private final RunnerClient runners;
    private final RuntimesConfig config;
    private final Clock clock;
    private final Map<String, HeldRuntime> held;
    private final Map<String, Mono<RuntimeRecord>> creations;
    private final RuntimeObserver observer;

    RuntimeStarter(LeaseStore leases, RuntimeRegistry registry, RunnerClient runners, RuntimesConfig config,
                   Clock clock, Map<String, HeldRuntime> held, Map<String, Mono<RuntimeRecord>> creations,
                   RuntimeObserver observer) {
        this.leases = leases;
        this.registry = registry;
        this.runners = runners;
        this.config = config;
        this.clock = clock;
        this.held = held;
        this.creations = creations;
        this.observer = observer;
    }

    /** Starts the creation detached from its caller, so that other callers may join it (see class doc). */
    Mono<RuntimeRecord> startShared(RuntimeSpec spec, PodPool pool, Publisher<ByteBuf> source) {
        Mono<RuntimeRecord> creation = start(spec, pool, source)
                .doFinally(signal -> creations.remove(spec.runtimeId()))
                .cache();
        creations.put(spec.runtimeId(), creation);
        creation.subscribe(null, error -> log.debug("Creating runtime {} failed: {}", spec.runtimeId(), error.toString()));
        return creation;
    }

    private Mono<RuntimeRecord> start(RuntimeSpec spec, PodPool pool, Publisher<ByteBuf> source) {
        long started = System.nanoTime();
        return pool.acquire()
                .onErrorResume(error -> registry.remove(spec.runtimeId()).then(Mono.error(error)))
                .flatMap(claim -> lease(spec.image(), claim)
                        .flatMap(lease -> specialize(spec, pool, claim, lease, source, millisSince(started)))
                        .onErrorResume(error -> abandon(spec.runtimeId(), claim, error)));
    }

    private Mono<Lease> lease(String image, PooledPod claim) {
        long started = System.nanoTime();
        return leases.claim(claim.pod().id(), config.replicaId(), config.leaseTtl())
                .doOnNext(lease -> leaseClaimed(image, Claim.CLAIMED, started))
                .doOnError(error -> leaseClaimed(image, Claim.of(error), started))
                .switchIfEmpty(Mono.error(() -> {
                    leaseClaimed(image, Claim.TAKEN, started);
                    return new LeasedElsewhereException(claim.pod().id());
                }));
    }

    private void leaseClaimed(String image, Claim outcome, long started) {
        observer.leaseClaimed(image, outcome, System.nanoTime() - started);
    }

    private void specialized(String image, Specialize outcome, long started) {
        observer.specialized(image, outcome, System.nanoTime() - started);
    }

    private Mono<RuntimeRecord> specialize(RuntimeSpec spec, PodPool pool, PooledPod claim, Lease lease,
                                           Publisher<ByteBuf> source, double acquireMs) {
        long started = System.nanoTime();
        Pod pod = claim.pod();
        Specialization specialization = new Specialization(pool.config().adapter(),
                spec.command(pool.config().command()), spec.entrypoint(), environment(spec),
                pool.config().startTimeout().toMillis());
        RunnerTarget target = new RunnerTarget(pod.host(), pod.port(), pod.secret(), lease.token());
        Instant now = clock.instant();
        return runners.specialize(target, specialization, source)
                .onErrorMap(RunnerCallException.class, e -> new RuntimeStartException(e.detail(), e))
                .then(registry.get(spec.runtimeId()))
                .map(pending -> new RuntimeRecord(spec.runtimeId(), spec.image(), spec.version(), RuntimeRecord.READY,
                        pod.id(), pod.host(), pod.port(), pod.secret(), lease.token(), config.replicaId(),
                        pending.created(), clock.instant()))
                .flatMap(ready -> hold(ready, claim, lease,
                        new CreationTimings(acquireMs, millisSince(started))))
                .switchIfEmpty(Mono.error(() -> new RuntimeNotFoundException("Runtime no longer exists.")))
                .doOnNext(ready -> specialized(spec.image(), Specialize.READY, started))
                .doOnError(error -> specialized(spec.image(), Specialize.of(error), started))
                .doOnNext(ready -> log.info("Runtime {} ready on pod {} in {} ms", spec.runtimeId(), pod.id(),
                        Duration.between(now, clock.instant()).toMillis()));
    }

    private Mono<RuntimeRecord> hold(RuntimeRecord ready, PooledPod claim, Lease lease, CreationTimings timings) {
        held.put(ready.runtimeId(), new HeldRuntime(ready, claim, lease, timings));
        return registry.update(ready)
                .flatMap(updated -> updated ? Mono.just(ready) : Mono.empty());
    }

    private Mono<RuntimeRecord> abandon(String runtimeId, PooledPod claim, Throwable error) {
        HeldRuntime runtime = held.remove(runtimeId);
        if (runtime != null) {
            runtime.markEnded();
        }
        boolean elsewhere = error instanceof LeasedElsewhereException;
        return registry.remove(runtimeId)
                .then(leases.current(claim.pod().id()))
                // Only this replica's own lease: another holder's lease and runtime on the pod are not ours to end.
                .filter(lease -> config.replicaId().equals(lease.holder()))
                .flatMap(leases::release)
                .onErrorResume(cleanup -> Mono.empty())
                .doFinally(signal -> {
                    if (elsewhere) {
                        claim.relinquish();
                    } else {
                        claim.release();
                    }
                })
                .then(Mono.error(error));
    }

    /** The pod the pool handed out is leased by another holder: it serves someone else's runtime. */
    static final class LeasedElsewhereException extends IllegalStateException {
        LeasedElsewhereException(String podId) {
            super("pod " + podId + " is leased by another holder");
        }
    }

    private static double millisSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1_000_000.0;
    }

    private static Map<String, String> environment(RuntimeSpec spec) {
        Map<String, String> env = new java.util.HashMap<>(spec.variables());
        env.put("OPEN_RUNTIMES_ENTRYPOINT", spec.entrypoint());
        return env;
    }
}
