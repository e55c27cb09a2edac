package dev.hearth.runner;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import dev.hearth.runner.build.BuildRun;
import dev.hearth.runner.http.OpenRuntimesAdapter;
import dev.hearth.runner.http.OpenRuntimesVersion;
import dev.hearth.runner.protocol.Adapter;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.hearth.runner.archive.ArchiveRejectedException;
import dev.hearth.runner.archive.TarGzExtractor;
import dev.hearth.runner.exec.ExecAdapter;
import dev.hearth.runner.function.FunctionAdapter;
import dev.hearth.runner.function.FunctionStartException;
import dev.hearth.runner.function.FunctionWorkspace;
import dev.hearth.runner.http.HttpAdapter;
import dev.hearth.runner.io.FluxInputStream;
import dev.hearth.runner.logs.LiveLog;
import dev.hearth.runner.process.ProcessSupervisor;
import dev.hearth.runner.protocol.ProtocolJson;
import dev.hearth.runner.protocol.RunnerProtocol;
import dev.hearth.runner.protocol.Specialization;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * {@code POST /v1/specialize}: extracts the tar.gz body into {@code <work>/code} (a large one as it arrives),
 * prepares the workspace and loads the adapter ({@code http} starts the server now). At most once per runner; a
 * failed attempt deletes the code directory and leaves the runner warm (see {@link RunnerState#specializationFailed}).
 * Extraction and process start are blocking and run on {@code boundedElastic}.
 */
final class SpecializeHandler {

    private static final Logger log = LoggerFactory.getLogger(SpecializeHandler.class);

    private final RunnerConfig config;
    private final RunnerState state;
    private final ProcessSupervisor supervisor;
    private final LiveLog liveLog;
    private final Executor io;

    SpecializeHandler(RunnerConfig config, RunnerState state, ProcessSupervisor supervisor, LiveLog liveLog,
                      Executor io) {
        this.config = config;
        this.state = state;
        this.supervisor = supervisor;
        this.liveLog = liveLog;
        this.io = io;
    }

    /** Timings of a successful specialization, the {@code 200} body. */
    record Timings(double extractMs, double startMs) {
    }

    Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        Specialization specialization = parse(request.requestHeaders().get(RunnerProtocol.SPECIALIZATION_HEADER));
        if (!state.beginSpecialization()) {
            throw new RunnerException(409, "already_specialized", "this runner is already specialized");
        }
        // Whether the archive reached the specialization, which then makes the runner warm again itself on failure.
        AtomicBoolean taken = new AtomicBoolean();
        return archive(request)
                .publishOn(Schedulers.boundedElastic())
                .flatMap(archive -> {
                    taken.set(true);
                    return Mono.fromCallable(() -> specializeOrRollBack(specialization, archive));
                })
                .doOnDiscard(InputStream.class, SpecializeHandler::closeQuietly)
                // The body failed or the caller left before the archive was taken: nothing was extracted.
                .doFinally(signal -> {
                    if (!taken.get()) {
                        state.specializationFailed();
                    }
                })
                .flatMap(timings -> response.header("content-type", "application/json")
                        .sendByteArray(Mono.just(ProtocolJson.toBytes(timings)))
                        .then());
    }

    /**
     * The archive to extract. One of at most {@link RunnerProtocol#WHOLE_ARCHIVE_BYTES} (its Content-Length says so;
     * the gateway sends a small source whole with the head) is received on the event loop before the one hop to a
     * worker, which then reads it from memory. A larger or chunked one streams to the worker as it arrives, at most a
     * few buffers ahead ({@link FluxInputStream}), never held whole.
     */
    private static Mono<InputStream> archive(HttpServerRequest request) {
        Integer length = request.requestHeaders().getInt(HttpHeaderNames.CONTENT_LENGTH);
        if (length != null && length <= RunnerProtocol.WHOLE_ARCHIVE_BYTES) {
            return request.receive().aggregate().retain()
                    .<InputStream>map(body -> new ByteBufInputStream(body, true))
                    .defaultIfEmpty(InputStream.nullInputStream());
        }
        return Mono.fromSupplier(() -> FluxInputStream.of(request.receive()));
    }

    private static void closeQuietly(InputStream archive) {
        try {
            archive.close();
        } catch (IOException e) {
            log.debug("closing an archive not extracted: {}", e.toString());
        }
    }

    private static Specialization parse(String header) {
        try {
            return ProtocolJson.fromHeader(header, Specialization.class);
        } catch (RuntimeException e) {
            throw RunnerException.badRequest("invalid " + RunnerProtocol.SPECIALIZATION_HEADER + ": " + e.getMessage());
        }
    }

    /**
     * Makes the runner warm again when specialization fails. Done here rather than in {@code doOnError}: when
     * the caller disconnects mid-upload the chain is cancelled, an error after cancel is not guaranteed to reach
     * {@code doOnError}, and the runner would stay SPECIALIZING (refusing every retry) for good.
     */
    private Timings specializeOrRollBack(Specialization specialization, InputStream archive) throws IOException {
        try (archive) {
            return specialize(specialization, archive);
        } catch (IOException | RuntimeException e) {
            state.specializationFailed();
            throw e;
        }
    }

    private Timings specialize(Specialization specialization, InputStream archive) throws IOException {
        long start = System.nanoTime();
        try {
            if (specialization.adapterKind() == Adapter.OPENRUNTIMES) {
                // The image's own start script extracts it, from where Open Runtimes puts it.
                Files.createDirectories(config.tmpDir());
                Files.copy(archive, config.tmpDir().resolve(specialization.archive()), StandardCopyOption.REPLACE_EXISTING);
            } else {
                new TarGzExtractor().extract(archive, config.codeDir());
            }
        } catch (ArchiveRejectedException e) {
            throw RunnerException.badArchive(e.getMessage(), e);
        }
        double extractMs = (System.nanoTime() - start) / 1_000_000.0;
        long startStart = System.nanoTime();
        FunctionWorkspace workspace = FunctionWorkspace.prepare(config.workDir(), config.codeDir(), config.tmpDir(),
                specialization);
        FunctionAdapter adapter;
        try {
            adapter = load(specialization, workspace);
        } catch (FunctionStartException e) {
            TarGzExtractor.deleteRecursively(workspace.code());
            liveLog.append(LiveLog.RUNNER, "function failed to start: " + e.getMessage());
            throw RunnerException.startFailed(e.getMessage());
        }
        state.specialized(adapter, workspace);
        double startMs = (System.nanoTime() - startStart) / 1_000_000.0;
        log.info("specialized with adapter {} (extract {} ms, start {} ms, {} variables)",
                adapter.kind().wireName(), Math.round(extractMs), Math.round(startMs), specialization.env().size());
        liveLog.append(LiveLog.RUNNER, "specialized with adapter " + adapter.kind().wireName());
        return new Timings(extractMs, startMs);
    }

    private FunctionAdapter load(Specialization specialization, FunctionWorkspace workspace) throws IOException {
        return switch (specialization.adapterKind()) {
            case EXEC -> new ExecAdapter(specialization.command(), workspace, supervisor, liveLog, io);
            case HTTP -> HttpAdapter.start(specialization.command(), workspace, specialization.startTimeoutMs(),
                    specialization.restartPolicy(), config.maxConcurrency(), supervisor, liveLog, io);
            case OPENRUNTIMES -> startOpenRuntimes(specialization);
        };
    }

    /**
     * Starts an Open Runtimes image's server from its {@code runtimeEntrypoint}: v5 in the image's working directory
     * (the build directory) with the code directory and logs directory made; v2 in the v2 code directory, as the
     * upstream executor sets the working directory of v2 containers.
     */
    private FunctionAdapter startOpenRuntimes(Specialization specialization) throws IOException {
        String command = BuildRun.localize(specialization.command(), config.tmpDir(), config.codeDir());
        Path directory;
        if (OpenRuntimesVersion.of(specialization.version()) == OpenRuntimesVersion.V2) {
            directory = Files.createDirectories(OpenRuntimesVersion.v2CodeDir(config.codeDir()));
            command = OpenRuntimesVersion.localizeV2(command, config.codeDir());
        } else {
            Files.createDirectories(config.codeDir());
            Files.createDirectories(config.openRuntimes().logsDir());
            directory = config.buildDir();
        }
        String host = config.host().equals("0.0.0.0") ? "127.0.0.1" : config.host();
        return OpenRuntimesAdapter.start(specialization, command, host, directory, imageEnvironment(specialization),
                config.openRuntimes(), config.maxConcurrency(), supervisor, liveLog, io);
    }

    /**
     * An Open Runtimes server's environment: the image's own (the runner's, which the pod inherits from the image:
     * {@code PATH}, {@code OPEN_RUNTIMES_SERVER_COMMAND}, …) without the runner's {@code HEARTH_RUNNER_*} settings
     * and pod secret, then the runtime's variables and the ones Open Runtimes sets over them.
     */
    private static Map<String, String> imageEnvironment(Specialization specialization) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(name -> name.startsWith("HEARTH_RUNNER_"));
        env.putAll(specialization.env());
        return env;
    }
}
