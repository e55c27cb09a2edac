package dev.hearth.runner;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Executor;

import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.hearth.runner.build.BuildLog;
import dev.hearth.runner.build.BuildRun;
import dev.hearth.runner.http.OpenRuntimesVersion;
import dev.hearth.runner.io.FluxInputStream;
import dev.hearth.runner.logs.LiveLog;
import dev.hearth.runner.process.ProcessSupervisor;
import dev.hearth.runner.protocol.BuildOutput;
import dev.hearth.runner.protocol.BuildRequest;
import dev.hearth.runner.protocol.ProtocolJson;
import dev.hearth.runner.protocol.RunnerProtocol;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * {@code POST /v1/build} and {@code GET /v1/build/log}. A build stores the streamed source archive, unextracted,
 * in the tmp directory, runs the command in the build directory, and answers with its log as it is written, to the
 * end record; {@code GET /v1/build/log} lets others follow the same log (the live build log). At most one build per
 * runner, and never on a specialized one. The caller going away does not stop the build (its pod is destroyed
 * with its runtime).
 */
final class BuildHandler {

    private static final Logger log = LoggerFactory.getLogger(BuildHandler.class);

    private final RunnerConfig config;
    private final RunnerState state;
    private final ProcessSupervisor supervisor;
    private final LiveLog liveLog;
    private final Executor io;
    private volatile BuildLog buildLog;

    BuildHandler(RunnerConfig config, RunnerState state, ProcessSupervisor supervisor, LiveLog liveLog, Executor io) {
        this.config = config;
        this.state = state;
        this.supervisor = supervisor;
        this.liveLog = liveLog;
        this.io = io;
    }

    Publisher<Void> build(HttpServerRequest request, HttpServerResponse response) {
        BuildRequest build = parse(request.requestHeaders().get(RunnerProtocol.BUILD_HEADER));
        if (!state.beginBuild()) {
            throw new RunnerException(409, "already_specialized", "this runner is specialized or has built already");
        }
        return Mono.fromCallable(() -> start(build, request))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(started -> send(response, started.read()));
    }

    Publisher<Void> follow(HttpServerRequest request, HttpServerResponse response) {
        BuildLog current = buildLog;
        if (current == null) {
            throw new RunnerException(409, "not_built", "no build has started on this runner");
        }
        return send(response, current.read());
    }

    private static Mono<Void> send(HttpServerResponse response, Flux<BuildOutput> records) {
        return response.header("content-type", RunnerProtocol.NDJSON_CONTENT_TYPE)
                .sendString(records.map(record -> ProtocolJson.toJsonString(record) + "\n"), StandardCharsets.UTF_8)
                .then();
    }

    /** Stores the archive and starts the command; blocking. A failure before the command starts ends the build. */
    private BuildLog start(BuildRequest build, HttpServerRequest request) throws IOException {
        Path home = Files.createDirectories(config.workDir().resolve("home"));
        Files.createDirectories(config.tmpDir());
        Files.createDirectories(config.codeDir());
        Files.createDirectories(config.buildDir());
        try (InputStream archive = FluxInputStream.of(request.receive())) {
            Files.copy(archive, config.tmpDir().resolve(build.archive()), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            state.built();
            throw RunnerException.badRequest("the source archive could not be received: " + e.getMessage());
        }
        BuildLog started = new BuildLog(config.workDir().resolve("build.log"));
        buildLog = started;
        // A v2 build names /usr/code (upstream: tar -zxf /tmp/code.tar.gz -C /usr/code && … ./build.sh).
        String command = OpenRuntimesVersion.localizeV2(
                BuildRun.localize(build.command(), config.tmpDir(), config.codeDir()), config.codeDir());
        liveLog.append(LiveLog.RUNNER, "build started");
        try {
            BuildRun.start(command, config.buildDir(), BuildRun.environment(build, home, config.tmpDir()),
                    build.timeoutMs(), started, supervisor, io, () -> {
                        state.built();
                        liveLog.append(LiveLog.RUNNER, "build ended");
                    });
        } catch (IOException e) {
            log.warn("build could not start: {}", e.toString());
            started.append("The build command could not be started: " + e.getMessage() + "\n");
            started.end(-1, false, 0);
            state.built();
        }
        return started;
    }

    private static BuildRequest parse(String header) {
        try {
            return ProtocolJson.fromHeader(header, BuildRequest.class);
        } catch (RuntimeException e) {
            throw RunnerException.badRequest("invalid " + RunnerProtocol.BUILD_HEADER + ": " + e.getMessage());
        }
    }
}
