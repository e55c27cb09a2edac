package dev.hearth.runner.exec;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import dev.hearth.runner.function.ExecutionCall;
import dev.hearth.runner.function.Frames;
import dev.hearth.runner.function.FunctionWorkspace;
import dev.hearth.runner.io.FluxInputStream;
import dev.hearth.runner.io.InputStreamFlux;
import dev.hearth.runner.logs.CappedLog;
import dev.hearth.runner.logs.LiveLog;
import dev.hearth.runner.process.FunctionProcess;
import dev.hearth.runner.process.ProcessSupervisor;
import dev.hearth.runner.protocol.ExecutionEnd;
import io.netty.buffer.ByteBuf;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * One {@code exec} execution: one process, request body to stdin, stdout to BODY frames, stderr to
 * {@code errors} and the live log.
 *
 * <p><b>Status rule.</b> PROTOCOL.md derives the status from the exit code, but a large body must stream
 * before the process exits. So: HEAD 200 goes out with the first stdout bytes, and the status is final from
 * then on (a later non-zero exit shows in {@code END.exitCode} and {@code errors}). If the process exits
 * without writing to stdout, HEAD is 200 for exit 0 and 500 otherwise (and 500 on timeout).
 *
 * <p>Timeout and cancel kill the whole process tree; {@code exitCode} is then -1. Whatever way the execution
 * ends, the tree is killed afterwards, so background children do not outlive their execution.
 */
final class ExecExecution {

    static final int READ_CHUNK = 32 * 1024;
    private static final Map<String, List<String>> HEADERS = Map.of("content-type", List.of("text/plain; charset=utf-8"));

    private final ExecutionCall call;
    private final String command;
    private final FunctionWorkspace workspace;
    private final ProcessSupervisor supervisor;
    private final LiveLog liveLog;
    private final Executor io;
    private final CappedLog errors = CappedLog.errors();
    private volatile boolean headSent;
    private volatile boolean timedOut;
    private volatile boolean cancelled;

    ExecExecution(ExecutionCall call, String command, FunctionWorkspace workspace, ProcessSupervisor supervisor,
                  LiveLog liveLog, Executor io) {
        this.call = call;
        this.command = command;
        this.workspace = workspace;
        this.supervisor = supervisor;
        this.liveLog = liveLog;
        this.io = io;
    }

    Flux<ByteBuf> frames() {
        return Flux.usingWhen(startProcess(), this::run, this::finish, (process, error) -> finish(process),
                        this::cancel)
                .doOnCancel(() -> cancelled = true);
    }

    private Mono<FunctionProcess> startProcess() {
        return Mono.fromCallable(() -> {
                    Map<String, String> env = new HashMap<>(workspace.environment());
                    env.putAll(CgiEnvironment.of(call.request(), call.bodyLength()));
                    FunctionProcess process = supervisor.start(command, workspace.code(), env);
                    if (cancelled) {
                        process.kill();
                    }
                    return process;
                })
                .subscribeOn(Schedulers.boundedElastic());
    }

    private Flux<ByteBuf> run(FunctionProcess process) {
        Disposable timer = Mono.delay(Duration.ofMillis(call.request().timeoutMs()))
                .subscribe(tick -> onTimeout(process), error -> { });
        FluxInputStream stdin = FluxInputStream.of(call.body());
        io.execute(() -> copyToStdin(stdin, process.process().getOutputStream()));
        CompletableFuture<Void> stderrDone = dev.hearth.runner.logs.LinePump.start(process.process().getErrorStream(),
                LiveLog.STDERR, liveLog, line -> errors.append(line + "\n"), io);
        Flux<ByteBuf> body = InputStreamFlux.read(process.process().getInputStream(), call.alloc(), READ_CHUNK, io)
                .map(this::bodyFrame);
        Mono<ByteBuf> tail = Mono.fromFuture(process.onExit().thenCombine(stderrDone, (p, ignored) -> p))
                .map(exited -> tailFrames(exited.exitValue(), process.killed()));
        return Flux.concat(body, tail)
                .doFinally(signal -> {
                    timer.dispose();
                    stdin.close();
                });
    }

    private ByteBuf bodyFrame(ByteBuf chunk) {
        ByteBuf frame = Frames.body(call.alloc(), chunk);
        if (headSent) {
            return frame;
        }
        headSent = true;
        return Frames.concat(call.alloc(), Frames.head(call.alloc(), 200, HEADERS), frame);
    }

    private ByteBuf tailFrames(int exitValue, boolean killed) {
        int exitCode = killed ? -1 : exitValue;
        String errorText = timedOut ? Frames.withTimeoutNote(errors.toString()) : errors.toString();
        ByteBuf end = Frames.end(call.alloc(), new ExecutionEnd("", errorText, timedOut, exitCode, call.elapsedMs()));
        if (headSent) {
            return end;
        }
        headSent = true;
        int status = exitCode == 0 && !timedOut ? 200 : 500;
        return Frames.concat(call.alloc(), Frames.head(call.alloc(), status, HEADERS), end);
    }

    private void onTimeout(FunctionProcess process) {
        timedOut = true;
        liveLog.append(LiveLog.RUNNER, "execution timed out after " + call.request().timeoutMs() + " ms");
        Schedulers.boundedElastic().schedule(process::kill);
    }

    private Mono<Void> cancel(FunctionProcess process) {
        return Mono.<Void>fromRunnable(process::kill).subscribeOn(Schedulers.boundedElastic());
    }

    private Mono<Void> finish(FunctionProcess process) {
        return Mono.<Void>fromRunnable(process::reap).subscribeOn(Schedulers.boundedElastic());
    }

    /** Streams the request body into stdin as the process reads it, then closes stdin (EOF for the function). */
    private static void copyToStdin(FluxInputStream body, OutputStream stdin) {
        byte[] buffer = new byte[32 * 1024];
        try (body; stdin) {
            int n;
            while ((n = body.read(buffer)) >= 0) {
                stdin.write(buffer, 0, n);
                stdin.flush();
            }
        } catch (IOException e) {
            // The function closed stdin or exited early: the rest of the body is not wanted.
        }
    }
}
