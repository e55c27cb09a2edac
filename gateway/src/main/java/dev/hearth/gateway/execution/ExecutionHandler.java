package dev.hearth.gateway.execution;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import org.springframework.stereotype.Component;

import dev.hearth.gateway.api.error.ErrorType;
import dev.hearth.gateway.api.error.ExecutorException;
import dev.hearth.gateway.api.error.ExecutorProperties;
import dev.hearth.gateway.api.error.NoAnswerException;
import dev.hearth.gateway.api.params.ExecutionParams;
import dev.hearth.gateway.api.params.Params;
import dev.hearth.gateway.execution.ExecutionOutputs.RunnerOutput;
import dev.hearth.gateway.execution.response.ExecutionOutput;
import dev.hearth.gateway.execution.response.ExecutionTail;
import dev.hearth.gateway.execution.response.ResponseSink;
import dev.hearth.gateway.metrics.ExecutionMeters;
import dev.hearth.gateway.runtime.RuntimeSources;
import dev.hearth.gateway.storage.ObjectNotFoundException;
import dev.hearth.pool.runtime.ExecutorHostname;
import dev.hearth.pool.runtime.ResolvedRuntime;
import dev.hearth.pool.runtime.RuntimeCreation;
import dev.hearth.pool.runtime.RuntimeSpec;
import dev.hearth.pool.runtime.Runtimes;
import dev.hearth.runner.client.ExecutionEvent;
import dev.hearth.runner.protocol.ExecutionEnd;
import dev.hearth.runner.protocol.ExecutionRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code POST /v1/runtimes/{runtimeId}/executions} (and {@code /execution}), as one straight line: read the
 * params → {@link Runtimes#resolve} the runtime (creating it on the fly when {@code image} and {@code source} are
 * given) → run the execution through the runner client → read its output → write it as JSON or multipart
 * (§1.5–1.6). One timeout budget covers the wait for the runtime and the execution. Served by
 * {@link ExecutionRoute}; knows neither WebFlux nor Reactor Netty: it reads an {@link ExecutionCall} and writes to a
 * {@link ResponseSink}.
 */
@Component
public class ExecutionHandler {

    /**
     * The gateway's own guard for a runner that never answers: the response head must arrive within the
     * remaining budget + 10 s. The runner answers by the budget itself, or for an Open Runtimes server 5 s after it
     * (upstream gives curl timeout + 5 s), so the guard comes later than either. After the head, the runner's own
     * timeout ends the execution; one timer per execution instead of one per body chunk.
     */
    private static final Duration GUARD = Duration.ofSeconds(10);

    private final List<String> runtimeVersions;
    private final Runtimes runtimes;
    private final RuntimeSources sources;
    private final ExecutionWriters writers;
    private final ExecutionMeters meters;

    public ExecutionHandler(Runtimes runtimes, RuntimeSources sources, ExecutionWriters writers,
                            ExecutionMeters meters, ExecutorProperties executor) {
        this.runtimeVersions = executor.runtimeVersions();
        this.runtimes = runtimes;
        this.sources = sources;
        this.writers = writers;
        this.meters = meters;
    }

    /**
     * Answers {@code call} on {@code sink}. Lazy. Fails before anything is sent when the answer is an error (the route
     * translates it); a failure after the head is sent can only end the connection.
     *
     * @param received when the request arrived ({@link System#nanoTime()})
     */
    public Mono<Void> execute(ExecutionCall call, ResponseSink sink, long received) {
        return Params.read(call.params(), Map.of("runtimeId", call.runtimeId()))
                .map(params -> ExecutionParams.from(params, call.runtimeId(), runtimeVersions))
                .flatMap(params -> respond(call, sink, params, received));
    }

    /** Runs once the parameters are read, so a slow upload of the body is not counted as the gateway's overhead. */
    private Mono<Void> respond(ExecutionCall call, ResponseSink sink, ExecutionParams params, long received) {
        Execution execution = new Execution(params, received, System.nanoTime());
        return resolve(params, execution.budget)
                .flatMap(runtime -> run(call, sink, execution, runtime));
    }

    private Mono<ResolvedRuntime> resolve(ExecutionParams params, ExecutionBudget budget) {
        RuntimeCreation creation = params.canCreateRuntime()
                ? new RuntimeCreation(params.runtime(), sources.archive(params.runtime().source()))
                : null;
        return runtimes.resolve(params.runtimeId(), creation)
                .timeout(budget.remaining(), LoopTimers.here())
                .onErrorMap(TimeoutException.class, e -> new ExecutorException(ErrorType.RUNTIME_TIMEOUT))
                .onErrorMap(ObjectNotFoundException.class, ExecutionHandler::sourceMissing);
    }

    /**
     * A missing source on the fly is what upstream answers once its creation attempts (each a 500) have used the
     * budget: {@code 400 runtime_timeout}. Hearth answers it at once, naming the path; a creation through
     * {@code POST /v1/runtimes} answers upstream's {@code 500} instead.
     */
    private static ExecutorException sourceMissing(ObjectNotFoundException missing) {
        return new ExecutorException(ErrorType.RUNTIME_TIMEOUT,
                "Timed out waiting for runtime. It cannot start: " + missing.getMessage(), missing);
    }

    private Mono<Void> run(ExecutionCall call, ResponseSink sink, Execution execution, ResolvedRuntime runtime) {
        if (execution.budget.exhausted()) {
            return Mono.error(new ExecutorException(ErrorType.RUNTIME_TIMEOUT));
        }
        execution.started(meters, runtime);
        return ExecutionOutputs.read(events(execution, runtime), sink.buffers())
                .flatMap(output -> writers.write(call, sink, execution.output(sink, output))
                        .doFinally(signal -> output.release()))
                .doOnError(execution.metrics::failed);
    }

    /** The runner's event stream, guarded by the budget, each way it ends recorded once. */
    private Flux<ExecutionEvent> events(Execution execution, ResolvedRuntime runtime) {
        Duration remaining = execution.budget.remaining();
        ExecutionParams params = execution.params;
        ExecutionRequest request = new ExecutionRequest(params.method(), params.path(), headers(params.headers()),
                Math.max(1, remaining.toMillis()), params.runtime().logging(),
                // v2 sends variables with every execution (upstream's envelope); v5 runtimes have theirs in env.
                params.runtime().isV2() ? v2Variables(params) : null);
        return guarded(runtimes.execute(runtime, request, body(params.body())), remaining)
                .doOnNext(execution::observe)
                .doOnError(execution.metrics::failed)
                // A client that goes away cancels the runner's stream (the response write itself completes quietly).
                .doOnCancel(execution.metrics::clientGone)
                // After the end frame (already recorded) a no-op; without one, the execution broke off.
                .doOnComplete(execution.metrics::streamEnded);
    }

    /** The execution's variables as upstream's v2 envelope carries them: with the executor's host name. */
    private static Map<String, String> v2Variables(ExecutionParams params) {
        Map<String, String> variables = new java.util.LinkedHashMap<>(params.runtime().variables());
        variables.put(RuntimeSpec.V2_HOSTNAME, ExecutorHostname.get());
        return variables;
    }

    /**
     * The head must arrive within {@code remaining} + {@link #GUARD}; otherwise {@link NoAnswerException}, a
     * {@code 500 general_unknown} as upstream's curl timeout answers.
     */
    static Flux<ExecutionEvent> guarded(Flux<ExecutionEvent> events, Duration remaining) {
        Duration limit = remaining.plus(GUARD);
        return HeadGuard.firstWithin(events, limit, () -> new NoAnswerException(limit.toSeconds()));
    }

    private static Flux<ByteBuf> body(byte[] body) {
        return body == null || body.length == 0 ? Flux.empty() : Flux.defer(() -> Flux.just(Unpooled.wrappedBuffer(body)));
    }

    /** The function sees the caller's {@code headers} param, names lower-cased. */
    static Map<String, List<String>> headers(Map<String, List<String>> given) {
        Map<String, List<String>> headers = new java.util.LinkedHashMap<>();
        given.forEach((name, values) -> headers.merge(name.toLowerCase(Locale.ROOT), values, (a, b) -> {
            List<String> merged = new java.util.ArrayList<>(a);
            merged.addAll(b);
            return merged;
        }));
        return headers;
    }

    /** One execution's own facts: its params, its clocks, its metrics. */
    private static final class Execution {

        private final ExecutionParams params;
        private final ExecutionBudget budget;
        private final long received;
        private final long paramsRead;
        private ExecutionMeters.Execution metrics;
        private ResolvedRuntime runtime;
        private Instant startTime;
        private long started;
        /** When the billable {@code duration} began: {@link #started}, or before the runtime's start (below). */
        private long billedFrom;

        Execution(ExecutionParams params, long received, long paramsRead) {
            this.params = params;
            this.budget = new ExecutionBudget(Duration.ofSeconds(params.timeout()));
            this.received = received;
            this.paramsRead = paramsRead;
        }

        void started(ExecutionMeters meters, ResolvedRuntime resolved) {
            this.runtime = resolved;
            this.started = System.nanoTime();
            // Upstream's duration starts before the wait for the runtime's port, so a cold start's server start
            // counts: for the request that created the runtime, its specialization (extracting, starting the server).
            long starting = (long) (resolved.creation().specializeMs() * 1_000_000);
            this.billedFrom = started - starting;
            this.startTime = Instant.now().minusNanos(starting);
            this.metrics = meters.start(resolved.record().image(), paramsRead, resolved.waitNanos(), started);
        }

        /** Records the head's status and the end frame as they arrive, before the stream completes. */
        void observe(ExecutionEvent event) {
            if (event instanceof ExecutionEvent.Head head) {
                metrics.head(head.head().status());
            } else if (event instanceof ExecutionEvent.End end) {
                metrics.end(end.end());
            }
        }

        /** The writer's view of the runner's output: the head timed, the end turned into the tail. */
        ExecutionOutput output(ResponseSink sink, RunnerOutput output) {
            PhaseTimings timings = new PhaseTimings(runtime.creation(), millisSince(started), millisSince(received));
            sink.header(PhaseTimings.HEADER, timings.header());
            return new ExecutionOutput(output.head().status(), output.head().headers(), output.body(),
                    output.end().map(this::tail));
        }

        /** With {@code logging} off the function's logs and errors are not kept, as an Open Runtimes server keeps none. */
        private ExecutionTail tail(ExecutionEnd end) {
            double duration = (System.nanoTime() - billedFrom) / 1e9;
            double start = startTime.getEpochSecond() + startTime.getNano() / 1e9;
            boolean logging = params.runtime().logging();
            return new ExecutionTail(logging ? end.logs() : "", logging ? end.errors() : "", duration, start);
        }

        private static double millisSince(long nanoTime) {
            return (System.nanoTime() - nanoTime) / 1_000_000.0;
        }
    }
}
