package dev.hearth.gateway.runtime;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import dev.hearth.gateway.api.error.ErrorType;
import dev.hearth.gateway.api.error.ExecutorException;
import dev.hearth.gateway.api.params.CreateRuntimeParams;
import dev.hearth.gateway.api.params.Params;
import dev.hearth.pool.runtime.RuntimeNotFoundException;
import dev.hearth.pool.runtime.Runtimes;
import reactor.core.publisher.Mono;

/** {@code /v1/runtimes}: create, list, get and delete runtimes (Open Runtimes §1.2–1.4). */
@Component
public class RuntimeHandler {

    private final Runtimes runtimes;
    private final RuntimeSources sources;
    private final ExecutorIdentity identity;

    public RuntimeHandler(Runtimes runtimes, RuntimeSources sources, ExecutorIdentity identity) {
        this.runtimes = runtimes;
        this.sources = sources;
        this.identity = identity;
    }

    /**
     * Creates a runtime: claims a warm pod of the image and loads the source into it. Answers 201 with
     * {@code {output, startTime, duration}}. Builds ({@code command}, {@code destination}) come later;
     * until then a {@code command} is refused rather than silently ignored.
     */
    public Mono<ServerResponse> create(ServerRequest request) {
        Instant started = Instant.now();
        return Params.read(request)
                .map(CreateRuntimeParams::from)
                .map(RuntimeHandler::refuseBuilds)
                .flatMap(params -> runtimes.create(params.runtime(), sources.read(params.runtime().source())))
                .flatMap(record -> ServerResponse.status(HttpStatus.CREATED)
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(created(started)));
    }

    /** A build request is refused with a clear error rather than run as a plain runtime. */
    private static CreateRuntimeParams refuseBuilds(CreateRuntimeParams params) {
        if (!params.command().isEmpty()) {
            throw new ExecutorException(ErrorType.BUILD_FAILED,
                    "Builds (the 'command' parameter) are not supported by this executor yet.");
        }
        return params;
    }

    public Mono<ServerResponse> list(ServerRequest request) {
        return runtimes.list()
                .map(record -> RuntimeView.of(record, identity.hostname()))
                .collectList()
                .flatMap(views -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(views));
    }

    public Mono<ServerResponse> get(ServerRequest request) {
        return runtimes.get(request.pathVariable("runtimeId"))
                .switchIfEmpty(Mono.error(() -> new RuntimeNotFoundException("Runtime not found")))
                .flatMap(record -> ServerResponse.ok()
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(RuntimeView.of(record, identity.hostname())));
    }

    public Mono<ServerResponse> delete(ServerRequest request) {
        return runtimes.delete(request.pathVariable("runtimeId"))
                .then(ServerResponse.ok().build());
    }

    private static Map<String, Object> created(Instant started) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("output", List.of());
        body.put("startTime", RuntimeView.seconds(started));
        body.put("duration", RuntimeView.seconds(Instant.ofEpochMilli(0).plusNanos(
                java.time.Duration.between(started, Instant.now()).toNanos())));
        return body;
    }
}
