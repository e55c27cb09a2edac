package dev.hearth.gateway.logs;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Predicate;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import dev.hearth.gateway.api.error.ErrorType;
import dev.hearth.gateway.api.error.ExecutorException;
import dev.hearth.gateway.api.params.Params;
import dev.hearth.pool.registry.RuntimeRecord;
import dev.hearth.pool.runtime.Runtimes;
import dev.hearth.runner.client.RunnerCallException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * {@code GET /v1/runtimes/{runtimeId}/logs} (§3.1): the runtime's output as it happens, as {@code text/event-stream}
 * lines {@code <Y-m-d\TH:i:s.vP> <content, newlines written as \\n>}, one line a chunk, written as it arrives.
 *
 * <p>As upstream: the runtime must appear within 10 s ({@code 400 runtime_timeout}), and its output must start within
 * {@code timeout} seconds ({@code 504 logs_timeout}) — a build's once its pod is claimed. A build's log streams from
 * its start to its end and then the stream closes; a runtime's (Hearth's extension) is the function's output its pod
 * retained, and with {@code follow=true} what comes after. The stream also ends when the runtime is removed, the
 * client leaves, or {@code timeout} passes.
 *
 * <p>Backpressure: the response asks the runner for at most {@link #IN_FLIGHT} records at a time, as the client's
 * connection takes them; a build's runner keeps one record per reader in memory (its log is a file).
 */
@Component
public class LogsHandler {

    private static final Duration APPEAR = Duration.ofSeconds(10);
    private static final Duration LOOK_AGAIN = Duration.ofMillis(100);
    /** Records read ahead of the client: a few, each at most a chunk (8 KiB) escaped. */
    static final int IN_FLIGHT = 8;

    private final Runtimes runtimes;

    public LogsHandler(Runtimes runtimes) {
        this.runtimes = runtimes;
    }

    public Mono<ServerResponse> logs(ServerRequest request) {
        String runtimeId = request.pathVariable("runtimeId");
        return Params.read(request)
                .flatMap(params -> {
                    Duration timeout = Duration.ofSeconds(parseTimeout(params.text("timeout", 16, 1, "600")));
                    boolean follow = params.bool("follow", true, false);
                    return await(runtimeId, record -> true, APPEAR)
                            .switchIfEmpty(Mono.error(() -> new ExecutorException(ErrorType.RUNTIME_TIMEOUT)))
                            .then(await(runtimeId, LogsHandler::started, timeout))
                            .switchIfEmpty(Mono.error(() -> new ExecutorException(ErrorType.LOGS_TIMEOUT)))
                            .flatMap(record -> ServerResponse.ok()
                                    .contentType(MediaType.TEXT_EVENT_STREAM)
                                    .header("Cache-Control", "no-cache")
                                    .body((message, context) -> message.writeWith(
                                            lines(record, follow, timeout, message.bufferFactory()))));
                });
    }

    /** Output has started: the runtime has its pod (building, or ready). */
    private static boolean started(RuntimeRecord record) {
        return !record.podId().isEmpty();
    }

    private Flux<DataBuffer> lines(RuntimeRecord record, boolean follow, Duration timeout, DataBufferFactory buffers) {
        return output(record, follow)
                .limitRate(IN_FLIGHT)
                .take(timeout)
                // The pod going away (runtime deleted) ends the stream; it is not an error for the reader.
                .onErrorResume(error -> Flux.empty())
                .map(line -> buffers.wrap(line.getBytes(StandardCharsets.UTF_8)));
    }

    /** A build's log to its end; a runtime's retained output, then (following) its new output. */
    private Flux<String> output(RuntimeRecord record, boolean follow) {
        Flux<String> built = runtimes.buildLog(record)
                .takeUntil(chunk -> chunk.ends())
                .filter(chunk -> !chunk.ends())
                .map(chunk -> LogLines.format(chunk.timestamp(), chunk.content()));
        if (!record.ready()) {
            // The runtime has its pod a moment before the build reaches the pod's runner: until then it answers
            // not_built, and the reader looks again (the stream's timeout bounds this, a removed pod ends it).
            return built.retryWhen(Retry.fixedDelay(Long.MAX_VALUE, LOOK_AGAIN).filter(LogsHandler::notBuilt));
        }
        // A line of the live log is a line of output: its newline is part of its content, as upstream chunks have it.
        Flux<String> served = runtimes.logs(record, follow)
                .map(line -> LogLines.format(line.timestamp(), line.line() + "\n"));
        // A ready runtime shows its build's log if it was built, else what its function printed.
        return built.onErrorResume(LogsHandler::notBuilt, error -> served);
    }

    private static boolean notBuilt(Throwable error) {
        return error instanceof RunnerCallException call && "not_built".equals(call.code());
    }

    private Mono<RuntimeRecord> await(String runtimeId, Predicate<RuntimeRecord> until, Duration within) {
        return Mono.defer(() -> runtimes.get(runtimeId))
                .filter(until)
                .repeatWhenEmpty(looks -> looks.delayElements(LOOK_AGAIN))
                .take(within);
    }

    private static long parseTimeout(String value) {
        try {
            return Math.max(1, Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            throw ExecutorException.badRequest("Invalid `timeout` param: Value must be a valid integer");
        }
    }
}
