package dev.hearth.gateway.logs;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import dev.hearth.gateway.api.error.ErrorType;
import dev.hearth.gateway.api.error.ExecutorException;
import dev.hearth.gateway.api.params.Params;
import dev.hearth.pool.registry.RuntimeRecord;
import dev.hearth.pool.runtime.Runtimes;
import dev.hearth.runner.protocol.LogLine;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code GET /v1/runtimes/{runtimeId}/logs} (§3.1): the runtime's log as {@code text/event-stream} lines
 * {@code <timestamp> <content with newlines as \\n>}. Waits up to 10 s for the runtime to appear and up to
 * {@code timeout} seconds for it to become ready; then sends the log the pod retained and ends, as Open
 * Runtimes ends its stream once the runtime is initialised. Hearth's extension {@code follow=true} keeps
 * the stream open for new lines until {@code timeout}, the runtime's end, or the client's disconnect.
 */
@Component
public class LogsHandler {

    private static final Duration APPEAR = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(250);
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxxx").withZone(ZoneOffset.UTC);

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
                    return appeared(runtimeId)
                            .flatMap(record -> ready(runtimeId, timeout))
                            .flatMap(record -> ServerResponse.ok()
                                    .contentType(MediaType.TEXT_EVENT_STREAM)
                                    .header("Cache-Control", "no-cache")
                                    .body((message, context) -> message.writeWith(
                                            lines(record, follow, timeout, message.bufferFactory()))));
                });
    }

    private Flux<DataBuffer> lines(RuntimeRecord record, boolean follow, Duration timeout,
                                   org.springframework.core.io.buffer.DataBufferFactory buffers) {
        return runtimes.logs(record, follow)
                .take(timeout)
                // The pod going away (runtime deleted) ends the stream; it is not an error for the reader.
                .onErrorResume(error -> Flux.empty())
                .map(line -> buffers.wrap(format(line).getBytes(StandardCharsets.UTF_8)));
    }

    static String format(LogLine line) {
        String timestamp = TIMESTAMP.format(Instant.parse(line.timestamp()));
        return timestamp + " " + line.line().replace("\n", "\\n") + "\n";
    }

    private Mono<RuntimeRecord> appeared(String runtimeId) {
        return poll(runtimeId, record -> true, APPEAR)
                .switchIfEmpty(Mono.error(() -> new ExecutorException(ErrorType.RUNTIME_TIMEOUT)));
    }

    private Mono<RuntimeRecord> ready(String runtimeId, Duration timeout) {
        return poll(runtimeId, RuntimeRecord::ready, timeout)
                .switchIfEmpty(Mono.error(() -> new ExecutorException(ErrorType.LOGS_TIMEOUT)));
    }

    private Mono<RuntimeRecord> poll(String runtimeId, java.util.function.Predicate<RuntimeRecord> until,
                                     Duration within) {
        return Mono.defer(() -> runtimes.get(runtimeId))
                .filter(until)
                .repeatWhenEmpty(looks -> looks.delayElements(POLL))
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
