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

import dev.hearth.gateway.api.error.ExecutorProperties;
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
    private final Builds builds;
    private final List<String> runtimeVersions;

    public RuntimeHandler(Runtimes runtimes, RuntimeSources sources, ExecutorIdentity identity, Builds builds,
                          ExecutorProperties executor) {
        this.runtimeVersions = executor.runtimeVersions();
        this.runtimes = runtimes;
        this.sources = sources;
        this.identity = identity;
        this.builds = builds;
    }

    /**
     * Creates a runtime (§1.4). With a {@code command} it is a build ({@link Builds}): the answer waits for the
     * build and carries its output, and the artifact's {@code path} and {@code size} when a {@code destination} is
     * given. Without one, a warm pod of the image is claimed and the source loaded into it; the answer is
     * {@code {output: [], startTime, duration}}.
     */
    public Mono<ServerResponse> create(ServerRequest request) {
        Instant started = Instant.now();
        long received = System.nanoTime();
        return Params.read(request)
                .map(params -> CreateRuntimeParams.from(params, runtimeVersions))
                .flatMap(params -> params.command().isEmpty()
                        ? fromWarmPod(params, started, received)
                        : builds.build(params, started).flatMap(body -> answer(body, null)));
    }

    /** A runtime created from a warm pod; its answer's {@code Server-Timing} carries the creation's phases. */
    private Mono<ServerResponse> fromWarmPod(CreateRuntimeParams params, Instant started, long received) {
        return runtimes.createTimed(params.runtime(), sources.archive(params.runtime().source()))
                .flatMap(made -> answer(loadedBody(started), new CreationServerTiming(made.creation(),
                        (System.nanoTime() - received) / 1_000_000.0).header()));
    }

    /** {@code 201} with {@code body}, and the creation's phases when there are ({@code serverTiming} not null). */
    private static Mono<ServerResponse> answer(Map<String, Object> body, String serverTiming) {
        ServerResponse.BodyBuilder created = ServerResponse.status(HttpStatus.CREATED)
                .contentType(MediaType.APPLICATION_JSON);
        if (serverTiming != null) {
            created.header(CreationServerTiming.HEADER, serverTiming);
        }
        return created.bodyValue(body);
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

    private static Map<String, Object> loadedBody(Instant started) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("output", List.of());
        body.put("startTime", RuntimeView.seconds(started));
        body.put("duration", RuntimeView.seconds(Instant.ofEpochMilli(0).plusNanos(
                java.time.Duration.between(started, Instant.now()).toNanos())));
        return body;
    }
}
