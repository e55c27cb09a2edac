package dev.hearth.gateway.execution;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;

import dev.hearth.gateway.api.error.ErrorType;
import dev.hearth.gateway.api.error.ExecutorException;
import dev.hearth.gateway.api.params.ExecutionParams;
import dev.hearth.gateway.api.params.Params;
import dev.hearth.gateway.execution.response.ExecutionTail;
import dev.hearth.gateway.metrics.ExecutionMeters;
import dev.hearth.gateway.runtime.RuntimeSources;
import dev.hearth.pool.registry.RuntimeRecord;
import dev.hearth.pool.runtime.CreationTimings;
import dev.hearth.pool.runtime.RuntimeNotFoundException;
import dev.hearth.pool.runtime.Runtimes;
import dev.hearth.runner.client.ExecutionEvent;
import dev.hearth.runner.protocol.ExecutionEnd;
import dev.hearth.runner.protocol.ExecutionHead;
import dev.hearth.runner.protocol.ExecutionRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code POST /v1/runtimes/{runtimeId}/executions} (and {@code /execution}): finds the runtime, creating it
 * on the fly when {@code image} and {@code source} are given, runs the execution on its pod and streams the
 * result back as JSON or multipart (§1.5–1.6). One timeout budget covers the wait for the runtime and the
 * execution.
 */
@Component
public class ExecutionHandler {

    /** How often a request waiting for a runtime another replica is creating looks again. */
    private static final Duration POLL = Duration.ofMillis(100);
    /**
     * The gateway's own guard for a runner that never answers: the response head must arrive within the
     * remaining budget + 5 s (Open Runtimes gives curl timeout + 5 s). After the head, the runner's own
     * timeout ends the execution; one timer per execution instead of one per body chunk.
     */
    private static final Duration GUARD = Duration.ofSeconds(5);

    private final Runtimes runtimes;
    private final RuntimeSources sources;
    private final ExecutionWriters writers;
    private final ExecutionMeters meters;

    public ExecutionHandler(Runtimes runtimes, RuntimeSources sources, ExecutionWriters writers,
                            ExecutionMeters meters) {
        this.runtimes = runtimes;
        this.sources = sources;
        this.writers = writers;
        this.meters = meters;
    }

    public Mono<ServerResponse> execute(ServerRequest request) {
        long received = System.nanoTime();
        String runtimeId = request.pathVariable("runtimeId");
        return Params.read(request)
                .map(params -> ExecutionParams.from(params, runtimeId))
                .flatMap(params -> respond(params, received));
    }

    /** Runs once the parameters are read, so a slow upload of the body is not counted as the gateway's overhead. */
    private Mono<ServerResponse> respond(ExecutionParams params, long received) {
        long paramsRead = System.nanoTime();
        ExecutionBudget budget = new ExecutionBudget(Duration.ofSeconds(params.timeout()));
        return runtime(params, budget, paramsRead)
                .flatMap(found -> ServerResponse.ok().build((exchange, context) ->
                        run(exchange, params, found, budget, received, paramsRead)));
    }

    /**
     * The runtime to run on; how its creation went if this replica created it (for {@code Server-Timing}); and
     * how long this request waited for it, 0 when it was ready already.
     */
    private record Found(RuntimeRecord record, CreationTimings creation, long waitNanos) {
    }

    private Mono<Found> runtime(ExecutionParams params, ExecutionBudget budget, long paramsRead) {
        Mono<Found> existing = runtimes.ready(params.runtimeId())
                .map(record -> new Found(record, CreationTimings.NONE, 0));
        if (!params.canCreateRuntime()) {
            return existing.switchIfEmpty(Mono.error(() -> new RuntimeNotFoundException(
                    "Runtime not found. Please start it first or provide runtime-related parameters.")));
        }
        return existing
                .switchIfEmpty(Mono.defer(() -> created(params, paramsRead)))
                .timeout(budget.remaining())
                .onErrorMap(TimeoutException.class, e -> new ExecutorException(ErrorType.RUNTIME_TIMEOUT));
    }

    /**
     * Creates the runtime, or waits for the creation another request or replica started. The wait is this
     * request's own: a request joining a creation late waited less than the creation took.
     */
    private Mono<Found> created(ExecutionParams params, long paramsRead) {
        return runtimes.getOrCreate(RuntimeSources.spec(params.toCreateRuntimeParams()),
                        sources.read(params.source()), POLL)
                .map(record -> new Found(record, runtimes.creationTimings(record.runtimeId()),
                        System.nanoTime() - paramsRead));
    }

    private Mono<Void> run(ServerWebExchange exchange, ExecutionParams params, Found found,
                           ExecutionBudget budget, long received, long paramsRead) {
        RuntimeRecord record = found.record();
        CreationTimings creation = found.creation();
        if (budget.exhausted()) {
            return Mono.error(new ExecutorException(ErrorType.RUNTIME_TIMEOUT));
        }
        Instant startTime = Instant.now();
        long started = System.nanoTime();
        ExecutionMeters.Execution metrics = meters.start(record.image(), paramsRead, found.waitNanos(), started);
        Duration remaining = budget.remaining();
        ExecutionRequest executionRequest = new ExecutionRequest(params.method(), params.path(),
                headers(params.headers()), Math.max(1, remaining.toMillis()));
        Flux<ExecutionEvent> events = runtimes.execute(record, executionRequest, body(params.body()))
                .timeout(Mono.delay(remaining.plus(GUARD)), event -> Mono.never())
                .onErrorMap(TimeoutException.class, e -> new ExecutorException(ErrorType.EXECUTION_TIMEOUT))
                // A client that goes away cancels the runner's stream (the response write itself completes quietly).
                .doOnError(metrics::failed)
                .doOnCancel(metrics::clientGone)
                // After the end frame (already handled downstream) a no-op; without one, the execution broke off.
                .doOnComplete(metrics::streamEnded);
        return ExecutionOutputs.write(events, exchange.getResponse().bufferFactory(),
                        head -> timed(exchange, head, metrics, new PhaseTimings(creation, millisSince(started),
                                millisSince(received))),
                        end -> tail(metrics.end(end), startTime, started),
                        output -> writers.write(exchange, output))
                .doOnError(metrics::failed);
    }

    private static void timed(ServerWebExchange exchange, ExecutionHead head, ExecutionMeters.Execution metrics,
                              PhaseTimings timings) {
        metrics.head(head.status());
        exchange.getResponse().getHeaders().set(PhaseTimings.HEADER, timings.header());
    }

    private static ExecutionTail tail(ExecutionEnd end, Instant startTime, long started) {
        double duration = (System.nanoTime() - started) / 1e9;
        double start = startTime.getEpochSecond() + startTime.getNano() / 1e9;
        return new ExecutionTail(end.logs(), end.errors(), duration, start);
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

    private static double millisSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1_000_000.0;
    }
}
