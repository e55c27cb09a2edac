package dev.hearth.runner;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.reactivestreams.Publisher;

import dev.hearth.runner.build.BuildRun;
import dev.hearth.runner.http.OpenRuntimesVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * {@code GET /v1/artifact?path=<file>}: streams a file a build made, once the build has ended, as
 * {@code application/octet-stream}. The path is named as in an Open Runtimes container ({@code /mnt/code/code.tar.gz})
 * and must lie in the runner's code, tmp or build directory: nothing else of the pod is readable this way.
 */
final class ArtifactHandler {

    private final RunnerConfig config;
    private final RunnerState state;

    ArtifactHandler(RunnerConfig config, RunnerState state) {
        this.config = config;
        this.state = state;
    }

    Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        if (!state.isBuilt()) {
            throw new RunnerException(409, "not_built", "the build has not ended");
        }
        List<String> named = new QueryStringDecoder(request.uri()).parameters().get("path");
        if (named == null || named.size() != 1 || named.get(0).isBlank()) {
            throw RunnerException.badRequest("name the artifact with one ?path=");
        }
        Path file = resolve(named.get(0));
        return Mono.fromCallable(() -> Files.isRegularFile(file) ? Files.size(file) : -1L)
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(size -> {
                    if (size < 0) {
                        return Mono.error(new RunnerException(404, "not_found", "no artifact at " + named.get(0)));
                    }
                    return response.header("content-type", "application/octet-stream")
                            .header("content-length", Long.toString(size))
                            .sendFile(file)
                            .then();
                });
    }

    private Path resolve(String named) {
        Path file = Path.of(OpenRuntimesVersion.localizeV2(BuildRun.localize(named, config.tmpDir(), config.codeDir()),
                config.codeDir())).toAbsolutePath().normalize();
        // A v2 build leaves its artifact in the v2 code directory (/usr/code/code.tar.gz).
        for (Path allowed : List.of(config.codeDir(), config.tmpDir(), config.buildDir(),
                OpenRuntimesVersion.v2CodeDir(config.codeDir()))) {
            if (file.startsWith(allowed)) {
                return file;
            }
        }
        throw RunnerException.badRequest("artifacts are read from the code, tmp or build directory only, not " + named);
    }
}
