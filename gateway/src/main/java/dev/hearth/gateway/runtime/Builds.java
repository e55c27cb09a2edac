package dev.hearth.gateway.runtime;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

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
 * and answers {@code {output, startTime, duration, size, path}}. A failed build answers {@code 400 build_failed}
 * with its output (at most upstream's 1,000,000 bytes, ending with "Build command exited with code N.").
 * After a failure, and after success when {@code remove} is set, the runtime is removed (pod, lease, record);
 * otherwise it stays registered, initialised. A failed store removes it too and leaves no partial object.
 */
@Component
public class Builds {

    /** Where Open Runtimes' build scripts leave the artifact. */
    static final String ARTIFACT = "/mnt/code/code.tar.gz";
    /** Beyond its timeout (the runner's limit), the gateway waits this long for the end before giving up on the pod. */
    private static final Duration GUARD = Duration.ofSeconds(30);

    /** How long a removed build's pod outlives the answer, for its log's followers. */
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
                    if (!built.outcome().succeeded()) {
                        removeLater(built);
                        return Mono.error(failed(built.outcome()));
                    }
                    // From here the runtime is this request's to finish: a caller leaving while the artifact is
                    // stored removes it (the store itself leaves no partial object).
                    return store(params, built).flatMap(stored -> {
                        Map<String, Object> body = body(built.outcome(), started, stored);
                        if (params.remove()) {
                            removeLater(built);
                            return Mono.just(body);
                        }
                        return runtimes.finishBuild(built, true).thenReturn(body);
                    }).doOnCancel(() -> removeLater(built));
                });
    }

    /**
     * Removes a built runtime a moment after the answer (upstream waits 2 s too): a client following its log
     * ({@code GET …/logs}) reads the build's last lines from its pod before the pod goes. The removal is the pool's
     * to finish even if this request is gone; a gateway stopping meanwhile ends the runtime itself.
     */
    private void removeLater(BuiltRuntime built) {
        Mono.delay(REMOVAL_GRACE)
                .then(runtimes.finishBuild(built, false))
                .subscribe(null, error -> LOG.warn("Could not remove build runtime {}: {}",
                        built.record().runtimeId(), error.toString()));
    }

    private Mono<StoredObject> store(CreateRuntimeParams params, BuiltRuntime built) {
        if (params.destination().isEmpty()) {
            return Mono.just(NOTHING);
        }
        String path = params.destination().replaceAll("/+$", "") + "/" + Secrets.hex(10) + ".gz";
        return storage.write(path, runtimes.artifact(built.record(), ARTIFACT))
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

    private static Map<String, Object> body(BuildOutcome outcome, Instant started, StoredObject stored) {
        Map<String, Object> body = new LinkedHashMap<>();
        List<Map<String, Object>> output = outcome.output().stream().map(Builds::chunk).toList();
        body.put("output", output);
        body.put("startTime", RuntimeView.seconds(started));
        body.put("duration", RuntimeView.seconds(Instant.EPOCH.plus(Duration.between(started, Instant.now()))));
        if (stored != NOTHING) {
            body.put("size", stored.size());
            body.put("path", stored.path());
        }
        return body;
    }

    private static Map<String, Object> chunk(BuildOutput chunk) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("timestamp", chunk.timestamp());
        entry.put("content", chunk.content());
        return entry;
    }
}
