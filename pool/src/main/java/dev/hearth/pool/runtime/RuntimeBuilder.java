package dev.hearth.pool.runtime;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;

import org.reactivestreams.Publisher;
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
import dev.hearth.pool.runtime.RuntimeObserver.Release;
import dev.hearth.runner.client.RunnerClient;
import dev.hearth.runner.protocol.BuildRequest;
import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Mono;

/**
 * A build runtime (Open Runtimes' create-runtime with a {@code command}): reserve the id, acquire a pod of the
 * image, claim its lease, hold it (so its lease is renewed through a long build) and register where it is (pending,
 * with its pod, so that its live log can be followed), then run the build on the runner and collect its outcome.
 * Whatever ends it before the outcome — a failure, a delete, the caller going away — ends the runtime: reservation,
 * lease and pod. Stateless between calls; thread-safe.
 */
final class RuntimeBuilder {

    private static final Logger log = LoggerFactory.getLogger(RuntimeBuilder.class);

    private final Pools pools;
    private final LeaseStore leases;
    private final RuntimeRegistry registry;
    private final RunnerClient runners;
    private final HeldRuntimes held;
    private final RuntimesConfig config;
    private final Clock clock;

    RuntimeBuilder(Pools pools, LeaseStore leases, RuntimeRegistry registry, RunnerClient runners, HeldRuntimes held,
                   RuntimesConfig config, Clock clock) {
        this.pools = pools;
        this.leases = leases;
        this.registry = registry;
        this.runners = runners;
        this.held = held;
        this.config = config;
        this.clock = clock;
    }

    Mono<BuiltRuntime> build(RuntimeSpec spec, BuildSpec build, Publisher<ByteBuf> source) {
        return Mono.defer(() -> {
            PodPool pool = pools.forRuntime(spec.poolRequest());
            RuntimeRecord pending = RuntimeRecord.pending(spec.runtimeId(), spec.image(), spec.version(),
                    config.replicaId(), clock.instant());
            return registry.reserve(pending)
                    .flatMap(existing -> Mono.<BuiltRuntime>error(
                            new RuntimeConflictException(spec.runtimeId(), !existing.ready())))
                    .switchIfEmpty(Mono.defer(() -> onPod(pending, spec, build, pool, source)));
        });
    }

    private Mono<BuiltRuntime> onPod(RuntimeRecord pending, RuntimeSpec spec, BuildSpec build, PodPool pool,
                                     Publisher<ByteBuf> source) {
        String runtimeId = spec.runtimeId();
        return pool.acquire()
                .onErrorResume(error -> registry.remove(runtimeId).onErrorResume(e -> Mono.empty())
                        .then(Mono.error(error)))
                .flatMap(pod -> claim(runtimeId, pod)
                        .flatMap(lease -> hold(pending, pod, lease))
                        .flatMap(building -> run(building, spec, build, source)))
                // Before the build's outcome, anything that ends the call ends the runtime with it.
                .onErrorResume(error -> end(runtimeId).then(Mono.error(error)))
                .doOnCancel(() -> end(runtimeId).subscribe(null, error -> log.warn(
                        "Ending build runtime {} after its caller left failed: {}", runtimeId, error.toString())));
    }

    private Mono<Lease> claim(String runtimeId, PooledPod pod) {
        return leases.claim(pod.pod().id(), config.replicaId(), config.leaseTtl())
                .switchIfEmpty(Mono.error(() -> new RuntimeStarter.LeasedElsewhereException(pod.pod().id())))
                .onErrorResume(error -> {
                    // Not held yet: the pod is let go of here (another holder's, or destroyed).
                    if (error instanceof RuntimeStarter.LeasedElsewhereException) {
                        pod.abandon();
                    } else {
                        pod.invalidate();
                    }
                    return registry.remove(runtimeId).onErrorResume(e -> Mono.empty()).then(Mono.error(error));
                });
    }

    /** Held and registered pending with its pod: renewed while it builds, and findable for its live log. */
    private Mono<HeldRuntime> hold(RuntimeRecord pending, PooledPod pod, Lease lease) {
        Pod p = pod.pod();
        RuntimeRecord building = new RuntimeRecord(pending.runtimeId(), pending.image(), pending.version(),
                RuntimeRecord.PENDING, p.id(), p.host(), p.port(), p.secret(), lease.token(), config.replicaId(),
                pending.created(), clock.instant());
        HeldRuntime runtime = new HeldRuntime(building, pod, lease, CreationTimings.NONE);
        held.hold(runtime);
        return registry.update(building)
                .flatMap(updated -> updated ? Mono.just(runtime)
                        : Mono.error(new RuntimeNotFoundException("Runtime no longer exists.")));
    }

    private Mono<BuiltRuntime> run(HeldRuntime runtime, RuntimeSpec spec, BuildSpec build,
                                   Publisher<ByteBuf> source) {
        BuildOutcome.Collector collector = new BuildOutcome.Collector();
        BuildRequest request = new BuildRequest(build.command(), environment(spec, build),
                build.timeout().toMillis(), BuildRequest.archiveNameFor(spec.source()));
        runtime.executionStarted(clock.instant());
        return runners.build(runtime.record().target(), request, source)
                .doOnNext(collector::accept)
                .then(Mono.fromCallable(() -> {
                    BuildOutcome outcome = collector.outcome();
                    if (!outcome.succeeded()) {
                        collector.note(Instant.now(clock).toString(), "Build command exited with code "
                                + outcome.end().exitCode() + ".\n");
                        outcome = collector.outcome();
                    }
                    return new BuiltRuntime(runtime.record(), outcome);
                }))
                .doFinally(signal -> runtime.executionEnded(clock.instant()));
    }

    /** Ends the build runtime: reservation, lease, pod. A no-op when it is ended already. */
    Mono<Void> end(String runtimeId) {
        return held.get(runtimeId) != null
                ? held.end(runtimeId, Release.BUILT, true)
                : Mono.empty();
    }

    /**
     * The build's environment: the caller's variables, then what Open Runtimes sets over them (the entrypoint, the
     * resources asked for, the output directory when given, {@code CI=true}).
     */
    static Map<String, String> environment(RuntimeSpec spec, BuildSpec build) {
        Map<String, String> env = spec.openRuntimesEnvironment();
        if (!build.outputDirectory().isEmpty()) {
            env.put("OPEN_RUNTIMES_OUTPUT_DIRECTORY", build.outputDirectory());
        }
        return env;
    }
}
