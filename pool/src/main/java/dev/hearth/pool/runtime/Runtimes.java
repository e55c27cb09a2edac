package dev.hearth.pool.runtime;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.reactivestreams.Publisher;

import dev.hearth.pool.Pools;
import dev.hearth.pool.lease.Lease;
import dev.hearth.pool.lease.LeaseStore;
import dev.hearth.pool.registry.RuntimeRecord;
import dev.hearth.pool.registry.RuntimeRegistry;
import dev.hearth.pool.runtime.RuntimeObserver.Release;
import dev.hearth.runner.client.ExecutionEvent;
import dev.hearth.runner.client.RunnerClient;
import dev.hearth.runner.protocol.BuildOutput;
import dev.hearth.runner.protocol.CommandRequest;
import dev.hearth.runner.protocol.CommandResult;
import dev.hearth.runner.protocol.ExecutionRequest;
import dev.hearth.runner.protocol.LogLine;
import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The runtimes every replica serves, as the API sees them: create, resolve (find ready, or create on the fly),
 * execute, read logs, list, get, delete. A thin facade: the runtimes this replica holds belong to
 * {@link HeldRuntimes}, creations in flight to {@link Creations}, finding a runtime to {@link RuntimeLookup},
 * background duties to {@link RuntimeMaintenance}. Thread-safe; every method is lazy.
 *
 * <p>Failure policy: a creation that fails at any step releases what it took (reservation, lease, pod), so a
 * failed runtime leaves nothing behind. A creation runs to its end even if the caller that started it goes away,
 * because executions of the same runtime may be waiting on it; the runtime it makes is then reaped when idle.
 */
public final class Runtimes {

    /** How long a delete waits for the replica holding the runtime to end it, before it releases the lease itself. */
    static final Duration HOLDER_RELEASE = Duration.ofSeconds(1);
    private static final Duration HOLDER_RELEASE_POLL = Duration.ofMillis(5);

    private final RuntimeRegistry registry;
    private final LeaseStore leases;
    private final RunnerClient runners;
    private final Clock clock;
    private final HeldRuntimes held;
    private final RuntimeLookup lookup;
    private final Creations creations;
    private final ActivityLog activity;
    private final RuntimeMaintenance maintenance;
    private final RuntimeBuilder builder;
    private final Scheduler timer;

    public Runtimes(Pools pools, LeaseStore leases, RuntimeRegistry registry, RunnerClient runners,
                    RuntimesConfig config, Clock clock, RuntimeObserver observer) {
        this(pools, leases, registry, runners, config, clock, observer, Schedulers.parallel());
    }

    /** @param timer runs the background duties and the wait for creations on other replicas */
    public Runtimes(Pools pools, LeaseStore leases, RuntimeRegistry registry, RunnerClient runners,
                    RuntimesConfig config, Clock clock, RuntimeObserver observer, Scheduler timer) {
        this.registry = registry;
        this.leases = leases;
        this.runners = runners;
        this.clock = clock;
        this.timer = timer;
        this.held = new HeldRuntimes(registry, leases, observer);
        this.lookup = new RuntimeLookup(held, registry, leases, clock);
        this.activity = new ActivityLog(registry);
        RuntimeStarter starter = new RuntimeStarter(pools, leases, registry, runners, held, config, clock, observer);
        this.creations = new Creations(pools, registry, starter, lookup, held, config, clock, timer);
        this.builder = new RuntimeBuilder(pools, leases, registry, runners, held, config, clock);
        this.maintenance = new RuntimeMaintenance(held, creations, activity, leases, registry, config, clock,
                observer, timer);
    }

    /**
     * Creates a runtime from {@code source}, its tar.gz archive: read while the pod is claimed, whole when small
     * ({@link SourceAhead}). Errors: {@link RuntimeConflictException} when the id exists, {@code UnknownImageException},
     * the pool's acquire errors, the archive's read errors, and {@link RuntimeStartException} when the function
     * cannot be loaded.
     */
    public Mono<RuntimeRecord> create(RuntimeSpec spec, SourceArchive source) {
        return createTimed(spec, source).map(ResolvedRuntime::record);
    }

    /** {@link #create}, with how long each phase of the creation took ({@link CreationTimings}). */
    public Mono<ResolvedRuntime> createTimed(RuntimeSpec spec, SourceArchive source) {
        return creations.create(spec, source).map(made -> new ResolvedRuntime(made.record(), made.timings(), 0));
    }

    /**
     * The one way to find a runtime to execute on: ready here and now, or — when {@code creation} is given —
     * created on the fly (or the creation another request or replica runs, joined). Errors with
     * {@link RuntimeNotFoundException} when there is none and no creation is given, and with whatever the
     * creation fails with.
     *
     * @param creation how to create the runtime if it does not exist; null to only find it
     */
    public Mono<ResolvedRuntime> resolve(String runtimeId, RuntimeCreation creation) {
        return Mono.defer(() -> {
            long started = System.nanoTime();
            Mono<ResolvedRuntime> found = lookup.ready(runtimeId).map(ResolvedRuntime::ready);
            if (creation == null) {
                return found.switchIfEmpty(Mono.error(() -> new RuntimeNotFoundException(
                        "Runtime not found. Please start it first or provide runtime-related parameters.")));
            }
            return found.switchIfEmpty(Mono.defer(() -> creations.createOrJoin(creation))
                    .map(made -> new ResolvedRuntime(made.record(), made.creation(), System.nanoTime() - started)));
        });
    }

    /**
     * Runs one execution, straight from this replica to the runtime's pod. A runtime this replica holds counts
     * as busy (never reaped) from subscription until the event stream ends; every execution's activity is
     * recorded for the registry, written in batches off this path.
     */
    public Flux<ExecutionEvent> execute(ResolvedRuntime runtime, ExecutionRequest request, Publisher<ByteBuf> body) {
        RuntimeRecord record = runtime.record();
        return Flux.defer(() -> {
            HeldRuntime mine = heldOn(record);
            Instant now = clock.instant();
            if (mine != null) {
                mine.executionStarted(now);
            }
            activity.record(record.runtimeId(), now);
            // Recorded before the end reaches the subscriber (doFinally would run after): whoever sees the execution
            // end sees the runtime idle. Once, whichever way it ends.
            java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
            Runnable end = () -> {
                if (ended.compareAndSet(false, true)) {
                    executionEnded(record, mine);
                }
            };
            return runners.execute(record.target(), request, body)
                    .doOnTerminate(end)
                    .doOnCancel(end);
        });
    }

    /**
     * Builds a runtime (Open Runtimes' create with a {@code command}): a pod of the image runs {@code build} on
     * {@code source}; emits the runtime, still pending, with the build's outcome, failed or not. Then
     * {@link #finishBuild} keeps or ends it. Errors: {@link RuntimeConflictException}, the pool's acquire errors, the
     * runner's; any error or cancellation before the outcome ends the runtime (reservation, lease, pod).
     */
    public Mono<BuiltRuntime> build(RuntimeSpec spec, BuildSpec build, Publisher<ByteBuf> source) {
        return builder.build(spec, build, source);
    }

    /** A file the runtime's build left ({@code /mnt/code/code.tar.gz}), streamed; the subscriber releases the buffers. */
    public Flux<ByteBuf> artifact(RuntimeRecord record, String path) {
        return runners.artifact(record.target(), path);
    }

    /** The log of the runtime's build, from its start to its end, as it is written. */
    public Flux<BuildOutput> buildLog(RuntimeRecord record) {
        return runners.buildLog(record.target());
    }

    /**
     * Ends a built runtime ({@code keep} false: reservation, lease and pod go) or keeps it, registered as
     * initialised until it is deleted or idle (it serves no executions: its pod built, it was not specialized).
     */
    public Mono<Void> finishBuild(BuiltRuntime built, boolean keep) {
        if (!keep) {
            return builder.end(built.record().runtimeId());
        }
        RuntimeRecord record = built.record();
        return registry.update(new RuntimeRecord(record.runtimeId(), record.image(), record.version(),
                        RuntimeRecord.READY, record.podId(), record.host(), record.port(), record.secret(),
                        record.leaseToken(), record.holder(), record.created(), clock.instant()))
                .then();
    }

    /** The runtime's log through its runner, with the runtime's own fencing token: the retained lines, then new ones if {@code follow}. */
    public Flux<LogLine> logs(RuntimeRecord record, boolean follow) {
        return runners.logs(record.target(), follow);
    }

    /**
     * Runs {@code command} beside the runtime's function, in its pod (Open Runtimes' {@code /commands}); answers how
     * it ran, whatever its exit code. {@link RuntimeNotFoundException} when there is no such runtime, or it is not
     * ready (still being created, or a build's).
     */
    public Mono<CommandResult> command(String runtimeId, String command, Duration timeout) {
        return lookup.get(runtimeId)
                .filter(RuntimeRecord::ready)
                .switchIfEmpty(Mono.error(() -> new RuntimeNotFoundException("Runtime not found")))
                .flatMap(record -> runners.command(record.target(), new CommandRequest(command, timeout.toMillis())));
    }

    /** The registry's record; a runtime held here is answered from memory when the registry cannot answer. */
    public Mono<RuntimeRecord> get(String runtimeId) {
        return lookup.get(runtimeId);
    }

    public Flux<RuntimeRecord> list() {
        return registry.list();
    }

    /** Ends the runtime and destroys its pod; {@link RuntimeNotFoundException} when there is none. */
    public Mono<Void> delete(String runtimeId) {
        return registry.remove(runtimeId)
                .switchIfEmpty(Mono.error(() -> new RuntimeNotFoundException("Runtime not found")))
                .flatMap(removed -> held.get(runtimeId) != null
                        ? held.end(runtimeId, Release.DELETED, false)
                        : releaseForeign(removed));
    }

    /** This replica's background duties toward its runtimes; started and stopped by the application. */
    public RuntimeMaintenance maintenance() {
        return maintenance;
    }

    /**
     * Deleting a runtime another replica holds. The holder serves it from memory without reading the registry
     * ({@link RuntimeLookup#ready}), so it must hear of the delete before this one answers: the removal is announced
     * to it, and this replica waits until the holder has ended the runtime and released its lease (it ends the
     * runtime first). When no other replica listens, or the holder does not release within {@link #HOLDER_RELEASE}
     * (it died, or missed the announcement), the lease is released here: a live holder that missed it finds the lease
     * lost at its next renewal and destroys the pod (within a third of the lease TTL).
     */
    private Mono<Void> releaseForeign(RuntimeRecord removed) {
        if (removed.podId().isEmpty()) {
            return Mono.empty();
        }
        Lease lease = new Lease(removed.podId(), removed.holder(), removed.leaseToken(), Instant.EPOCH);
        return registry.announceRemoval(removed)
                .onErrorReturn(false)
                .flatMap(heard -> heard ? releasedByHolder(lease) : Mono.just(false))
                .flatMap(released -> released ? Mono.empty() : leases.release(lease))
                .then();
    }

    /** Whether the holder released {@code lease} within {@link #HOLDER_RELEASE}, looking every few milliseconds. */
    private Mono<Boolean> releasedByHolder(Lease lease) {
        Mono<Boolean> released = Mono.defer(() -> leases.current(lease.podId()))
                .map(current -> current.token() != lease.token())
                .defaultIfEmpty(true);
        return released
                .filter(Boolean::booleanValue)
                .repeatWhenEmpty(attempts -> attempts.delayElements(HOLDER_RELEASE_POLL, timer))
                .timeout(HOLDER_RELEASE, Mono.just(false), timer)
                .onErrorReturn(false);
    }

    private HeldRuntime heldOn(RuntimeRecord record) {
        HeldRuntime runtime = held.get(record.runtimeId());
        return runtime != null && runtime.record().podId().equals(record.podId()) ? runtime : null;
    }

    private void executionEnded(RuntimeRecord record, HeldRuntime mine) {
        Instant now = clock.instant();
        if (mine != null) {
            mine.executionEnded(now);
        }
        activity.record(record.runtimeId(), now);
    }
}
