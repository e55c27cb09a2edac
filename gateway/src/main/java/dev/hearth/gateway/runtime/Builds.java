package dev.hearth.gateway.runtime;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.hearth.gateway.api.error.ErrorType;
import dev.hearth.gateway.api.error.ExecutorException;
import dev.hearth.gateway.api.params.CreateRuntimeParams;
import dev.hearth.gateway.storage.Storage;
import dev.hearth.gateway.storage.StorageException;
import dev.hearth.gateway.storage.StoredObject;
import dev.hearth.pool.Secrets;
import dev.hearth.pool.runtime.BuildOutcome;
import dev.hearth.pool.runtime.BuildSpec;
import dev.hearth.pool.runtime.BuiltRuntime;
import dev.hearth.pool.runtime.Runtimes;
import dev.hearth.runner.protocol.BuildOutput;
import reactor.core.publisher.Mono;

/**
 * {@code POST /v1/runtimes} with a {@code command} (§1.4): builds the runtime's source in a pod of its image, stores
 * the artifact the build leaves at {@code /mnt/code/code.tar.gz} under {@code destination} as {@code <unique>.gz},
 * and answers {@code {output, startTime, duration, size, path}} (a v2 build: its artifact at {@code /usr/code/code.tar.gz}
 * and its output in one chunk, as upstream answers them). A failed build answers {@code 400 build_failed}
 * with its output (at most upstream's 1,000,000 bytes, ending with "Build command exited with code N.").
 * After a failure, and after success when {@code remove} is set, the runtime is removed (pod, lease, record) before
 * the answer, as upstream removes it; otherwise it stays registered, initialised. A failed store removes it too and leaves no partial object.
 */
@Component
public class Builds {

    /** Where Open Runtimes' build scripts leave the artifact. */
    static final String ARTIFACT = "/mnt/code/code.tar.gz";
    /** Where a v2 image's {@code build.sh} leaves it: upstream's v2 code mount. */
    static final String V2_ARTIFACT = "/usr/code/code.tar.gz";
    /** Upstream's output of a v2 build that printed nothing. */
    static final String V2_NO_OUTPUT = "Runtime created successfully!";
    /** Beyond its timeout (the runner's limit), the gateway waits this long for the end before giving up on the pod. */
    private static final Duration GUARD = Duration.ofSeconds(30);

    /** How long a removed build's pod outlives the build's end (and the answer waits), for its log's followers. */
    static final Duration REMOVAL_GRACE = Duration.ofSeconds(2);
    private static final Logger LOG = LoggerFactory.getLogger(Builds.class);

    private final Runtimes runtimes;
    private final RuntimeSources sources;
    private final Storage storage;

    public Builds(Runtimes runtimes, RuntimeSources sources, Storage storage) {
        this.runtimes = runtimes;
        this.sources = sources;
        this.storage = storage;
    }

    /** Runs the build; emits the {@code 201} body. */
    public Mono<Map<String, Object>> build(CreateRuntimeParams params, Instant started) {
        Duration timeout = Duration.ofSeconds(Math.max(1, params.timeout()));
        BuildSpec spec = new BuildSpec(params.command(), timeout, params.outputDirectory());
        return runtimes.build(params.runtime(), spec, sources.read(params.runtime().source()))
                // The runner ends a build at its timeout; this guards against a runner that never answers.
                .timeout(timeout.plus(GUARD))
                .onErrorMap(TimeoutException.class, error -> new ExecutorException(ErrorType.BUILD_FAILED,
                        "Build timed out: no end from its pod " + timeout.plus(GUARD).toSeconds() + " s after it began."))
                .flatMap(built -> {
                    AtomicBoolean removing = new AtomicBoolean();
                    if (!built.outcome().succeeded()) {
                        return removed(built, params.remove(), removing).then(Mono.error(failed(built.outcome())));
                    }
                    // From here the runtime is this request's to finish: a caller leaving while the artifact is
                    // stored removes it (the store itself leaves no partial object).
                    return store(params, built).flatMap(stored -> {
                        Map<String, Object> body = body(built.outcome(), params.runtime().isV2(), started, stored);
                        Mono<Void> finished = params.remove()
                                ? removed(built, true, removing)
                                : runtimes.finishBuild(built, true);
                        return finished.thenReturn(body);
                    }).doOnCancel(() -> removed(built, false, removing));
                });
    }

    /**
     * Removes a built runtime before the answer, as upstream does: with {@code remove} it waits 2 s first (upstream
     * sleeps as long "to allow time to read logs"), so a client following the log ({@code GET …/logs}) reads the
     * build's last lines from its pod before the pod goes; once the answer arrives the runtime is no longer listed.
     * The removal runs detached, so a caller leaving meanwhile does not stop it; the answer waits for it. A gateway
     * stopping meanwhile ends the runtime itself.
     */
    private Mono<Void> removed(BuiltRuntime built, boolean grace, AtomicBoolean removing) {
        if (!removing.compareAndSet(false, true)) {
            return Mono.empty(); // already on its way out: once only, so a reused id's next runtime is never hit
        }
        Mono<Void> removal = (grace ? Mono.delay(REMOVAL_GRACE).then() : Mono.<Void>empty())
                .then(runtimes.finishBuild(built, false))
                .onErrorResume(error -> {
                    LOG.warn("Could not remove build runtime {}: {}", built.record().runtimeId(), error.toString());
                    return Mono.empty();
                });
        // suppressCancel: the caller's leaving must not cancel the removal it waits for.
        return Mono.fromFuture(removal.toFuture(), true);
    }

    private Mono<StoredObject> store(CreateRuntimeParams params, BuiltRuntime built) {
        if (params.destination().isEmpty()) {
            return Mono.just(NOTHING);
        }
        String path = params.destination().replaceAll("/+$", "") + "/" + Secrets.hex(10) + ".gz";
        return storage.write(path, runtimes.artifact(built.record(),
                        params.runtime().isV2() ? V2_ARTIFACT : ARTIFACT))
                .onErrorMap(error -> !(error instanceof StorageException), Builds::notStored)
                .onErrorResume(error -> runtimes.finishBuild(built, false).then(Mono.error(error)));
    }

    /** Upstream's words when the artifact cannot be moved (here: the build left none, or its pod went away). */
    private static ExecutorException notStored(Throwable cause) {
        return new ExecutorException(ErrorType.GENERAL_UNKNOWN,
                "Failed to move built code to storage: " + cause.getMessage(), cause);
    }

    private static final StoredObject NOTHING = new StoredObject("", 0);

    /** Upstream's message: the output cut at 1,000,000 bytes, trimmed; its own words when there is none. */
    static ExecutorException failed(BuildOutcome outcome) {
        String text = cut(outcome.text(), BuildOutcome.MAX_OUTPUT_BYTES).strip();
        if (outcome.end().timedOut()) {
            text = (text + "\nBuild timed out.").strip();
        }
        return new ExecutorException(ErrorType.BUILD_FAILED, text.isEmpty() ? "Build command failed." : text);
    }

    private static String cut(String text, int maxBytes) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return text;
        }
        int end = maxBytes;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    private static Map<String, Object> body(BuildOutcome outcome, boolean v2, Instant started, StoredObject stored) {
        Map<String, Object> body = new LinkedHashMap<>();
        List<Map<String, Object>> output = v2 ? List.of(chunk(v2Output(outcome)))
                : outcome.output().stream().map(Builds::chunk).toList();
        body.put("output", output);
        body.put("startTime", RuntimeView.seconds(started));
        body.put("duration", RuntimeView.seconds(Instant.EPOCH.plus(Duration.between(started, Instant.now()))));
        if (stored != NOTHING) {
            body.put("size", stored.size());
            body.put("path", stored.path());
        }
        return body;
    }

    /**
     * A successful v2 build's output as upstream answers it: one chunk, stamped now, of the whole output (kept to its
     * first 1,000,000 bytes; upstream keeps the last 1,000,000 characters), or its words for a build that printed
     * nothing.
     */
    static BuildOutput v2Output(BuildOutcome outcome) {
        String text = outcome.text();
        return BuildOutput.chunk(Instant.now().toString(), text.isEmpty() ? V2_NO_OUTPUT : text);
    }

    private static Map<String, Object> chunk(BuildOutput chunk) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("timestamp", chunk.timestamp());
        entry.put("content", chunk.content());
        return entry;
    }
}
