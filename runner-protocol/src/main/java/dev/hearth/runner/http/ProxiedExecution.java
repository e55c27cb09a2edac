package dev.hearth.runner.http;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.hearth.runner.function.ExecutionCall;
import dev.hearth.runner.function.Frames;
import dev.hearth.runner.protocol.ExecutionEnd;
import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * What every execution proxied to a long-lived server shares ({@code http}, Open Runtimes v5 and v2): the call is
 * cancelled once its {@link #limit()} has passed; a failed call (server dead, connection refused or reset) ends up in
 * END's {@code errors}, with HEAD 502 when none was sent (500 after the limit); END comes last with the logs and
 * errors the protocol yields ({@link #output()}), the failure's reason and the timeout note. A call waits while the
 * server restarts ({@link #reachServer}, {@link #reconnecting}). Subclasses say how the call is made and where its logs come from.
 */
abstract class ProxiedExecution {

    /** The execution's logs and errors as the protocol yields them. */
    record Output(String logs, String errors) {
    }

    /** Between connection attempts refused while the server restarts. */
    private static final Duration RECONNECT_DELAY = Duration.ofMillis(50);

    final ExecutionCall call;
    private final FunctionServer server;
    private final String serverName;
    private volatile boolean headSent;
    private volatile boolean timedOut;
    private volatile String failure;

    /** @param serverName what the server is called in a failure's reason ("function server") */
    ProxiedExecution(ExecutionCall call, FunctionServer server, String serverName) {
        this.call = call;
        this.server = server;
        this.serverName = serverName;
    }

    Flux<ByteBuf> frames() {
        return reachServer()
                .takeUntilOther(Mono.delay(limit()).doOnNext(tick -> timedOut = true))
                .onErrorResume(this::onProxyError)
                .concatWith(output().map(this::tailFrames));
    }

    /** The call once the server is ready: while it restarts (its restart policy), the call waits. */
    private Flux<ByteBuf> reachServer() {
        return server.ready().thenMany(Flux.defer(this::proxy));
    }

    /**
     * {@code connection} (the request to the server, lazy, nothing of the caller's body read before it connects),
     * tried again, each time once the server is ready, while its connection is refused because the server exited a
     * moment ago and is to be restarted: upstream's executor retries connecting so while Docker restarts the
     * container. The execution's limit bounds the attempts.
     */
    final <T> Flux<T> reconnecting(Flux<T> connection) {
        return connection.retryWhen(Retry.fixedDelay(Long.MAX_VALUE, RECONNECT_DELAY)
                .filter(this::refusedWhileRestarting)
                .doBeforeRetryAsync(signal -> server.ready()));
    }

    private boolean refusedWhileRestarting(Throwable error) {
        boolean refused = error instanceof ConnectException || error.getCause() instanceof ConnectException;
        return refused && !headSent && server.mayRestart();
    }

    /** The call: HEAD (made by {@link #head}) then BODY frames, as the answer arrives. */
    abstract Flux<ByteBuf> proxy();

    /** How long the call may run before the runner cancels it. */
    abstract Duration limit();

    /** The execution's logs and errors, read once the call has ended (never on an event loop if blocking). */
    abstract Mono<Output> output();

    /** The HEAD frame; the one way a subclass sends it, so that a failure after it sends no second one. */
    final ByteBuf head(int status, Map<String, List<String>> headers) {
        headSent = true;
        return Frames.head(call.alloc(), status, headers);
    }

    /** Why the execution failed without the function answering, added to its errors. */
    final void failed(String reason) {
        failure = reason;
    }

    private Flux<ByteBuf> onProxyError(Throwable error) {
        failed((server.alive() ? "request to the " + serverName + " failed: "
                : server.exitDescription() + "; request failed: ") + error);
        return Flux.empty();
    }

    private ByteBuf tailFrames(Output output) {
        String errors = output.errors();
        String reason = failure;
        if (reason == null && timedOut && !headSent && server.mayRestart() && !server.alive()) {
            reason = server.exitDescription(); // it timed out waiting for the server's restart
        }
        if (reason != null) {
            errors = errors + (errors.isEmpty() || errors.endsWith("\n") ? "" : "\n") + reason;
        }
        if (timedOut) {
            errors = Frames.withTimeoutNote(errors);
        }
        ByteBuf end = Frames.end(call.alloc(), new ExecutionEnd(output.logs(), errors, timedOut, -1,
                call.elapsedMs()));
        if (headSent) {
            return end;
        }
        return Frames.concat(call.alloc(), head(timedOut ? 500 : 502, Map.of()), end);
    }
}
