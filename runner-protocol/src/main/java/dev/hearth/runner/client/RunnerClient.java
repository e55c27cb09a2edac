package dev.hearth.runner.client;

import static dev.hearth.runner.client.RunnerResponses.decode;
import static dev.hearth.runner.client.RunnerResponses.failure;
import static dev.hearth.runner.client.RunnerResponses.lines;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.reactivestreams.Publisher;

import dev.hearth.runner.protocol.BuildOutput;
import dev.hearth.runner.protocol.BuildRequest;
import dev.hearth.runner.protocol.CommandRequest;
import dev.hearth.runner.protocol.CommandResult;
import dev.hearth.runner.protocol.ExecutionJson;
import dev.hearth.runner.protocol.ExecutionRequest;
import dev.hearth.runner.protocol.LogLine;
import dev.hearth.runner.protocol.ProtocolJson;
import dev.hearth.runner.protocol.RunnerHealth;
import dev.hearth.runner.protocol.RunnerProtocol;
import dev.hearth.runner.protocol.Specialization;
import io.netty.buffer.ByteBuf;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.HttpResources;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.resources.ConnectionProvider;

/**
 * The gateway's client of the runner protocol (PROTOCOL.md). Non-blocking and lazy: nothing is sent
 * until a returned publisher is subscribed, and cancelling it closes the connection, which the runner
 * treats as a cancelled call. Thread-safe; share one instance.
 */
public final class RunnerClient {

    private static final int MAX_LOG_LINE_BYTES = 4 * RunnerProtocol.MAX_LOG_LINE_CHARS + 1024;
    /** A build record: a chunk of at most BUILD_CHUNK_BYTES, JSON-escaped (at most six bytes a byte), and its fields. */
    private static final int MAX_BUILD_LINE_BYTES = 6 * RunnerProtocol.BUILD_CHUNK_BYTES + 1024;

    /** How long past a command's timeout the gateway waits for its answer. */
    static final Duration COMMAND_GRACE = Duration.ofSeconds(10);

    /** How long an unused connection to a runner is kept. */
    private static final Duration MAX_IDLE = Duration.ofMinutes(5);

    private final HttpClient http;
    private final RunnerConnections executions;

    /**
     * @param http       the client of every call but executions
     * @param executions the connections executions travel on
     */
    public RunnerClient(HttpClient http, RunnerConnections executions) {
        this.http = http.headers(h -> h.set(RunnerProtocol.PROTOCOL_HEADER, RunnerProtocol.VERSION));
        this.executions = executions;
    }

    /**
     * A client with its own connection pools: connections to each runner are kept alive, since every
     * execution of a runtime goes to the same pod. Executions travel on {@link RunnerConnections} (per event loop,
     * on plain Netty); the other calls on Reactor Netty's client. An idle connection stays for five minutes: the one
     * a warm pod's health check left is what its claim specializes through, and pods wait warm for minutes. A runner
     * never closes an idle connection itself (no race with a reused one); one whose pod went away is dropped when
     * its peer closes it.
     */
    public static RunnerClient create(Duration connectTimeout) {
        ConnectionProvider provider = ConnectionProvider.builder("hearth-runners")
                .maxConnections(1024)
                .pendingAcquireMaxCount(-1)
                .maxIdleTime(MAX_IDLE)
                .build();
        HttpClient http = HttpClient.create(provider)
                .option(io.netty.channel.ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .option(io.netty.channel.ChannelOption.TCP_NODELAY, true);
        return new RunnerClient(http, new RunnerConnections(HttpResources.get(), connectTimeout, MAX_IDLE));
    }

    /**
     * {@code GET /v1/health}; errors when the runner does not answer. {@code host} may be a socket address
     * ({@link RunnerTarget#socketAddress}).
     */
    public Mono<RunnerHealth> health(String host, int port) {
        RunnerTarget target = new RunnerTarget(host, port, "", 0);
        return at(http, target).get()
                .uri(target.baseUrl() + RunnerProtocol.HEALTH_PATH)
                .responseSingle((response, body) -> body.asByteArray()
                        .defaultIfEmpty(new byte[0])
                        .map(bytes -> decode(response, bytes, RunnerHealth.class)));
    }

    /** Loads a function into a warm runner; {@code tarGz} streams as the body (empty for no code). */
    public Mono<SpecializeResult> specialize(RunnerTarget target, Specialization specialization,
                                             Publisher<ByteBuf> tarGz) {
        return authorized(target)
                .headers(h -> h.set(RunnerProtocol.SPECIALIZATION_HEADER, ProtocolJson.toHeader(specialization))
                        .set(HttpHeaderNames.CONTENT_TYPE, "application/gzip"))
                .post()
                .uri(target.baseUrl() + RunnerProtocol.SPECIALIZE_PATH)
                .send(tarGz)
                .responseSingle((response, body) -> body.asByteArray()
                        .defaultIfEmpty(new byte[0])
                        .map(bytes -> decode(response, bytes, SpecializeResult.class)));
    }

    /**
     * Runs one execution. The request body streams from {@code body} as the runner reads it; the
     * response arrives as events as the runner writes them. Body chunks must be released by the
     * subscriber. Errors: {@link RunnerCallException} when the runner refuses the call,
     * {@link TruncatedExecutionException} when the response ends without its END frame or the connection
     * fails mid-call, or the transport's exception (e.g. {@link java.net.ConnectException}) when the runner
     * is unreachable.
     */
    public Flux<ExecutionEvent> execute(RunnerTarget target, ExecutionRequest request, Publisher<ByteBuf> body) {
        return ExecuteCall.of(executions, target, ProtocolJson.toHeader(ExecutionJson.write(request)), body);
    }

    /** The pod's live log; with {@code follow}, new lines keep coming until the subscriber cancels. */
    public Flux<LogLine> logs(RunnerTarget target, boolean follow) {
        return authorized(target)
                .get()
                .uri(target.baseUrl() + RunnerProtocol.LOGS_PATH + "?follow=" + follow)
                .response((response, content) -> {
                    if (response.status().code() != 200) {
                        return failure(response, content);
                    }
                    return lines(content, MAX_LOG_LINE_BYTES).map(line -> ProtocolJson.fromBytes(
                            line.getBytes(StandardCharsets.UTF_8), LogLine.class));
                });
    }

    /**
     * Runs a build on a warm runner: {@code tarGz} streams as its source; the build's log records come back as the
     * runner writes them, the end record last. Errors: {@link RunnerCallException} when the runner refuses,
     * {@link TruncatedExecutionException} when the stream ends without its end record.
     */
    public Flux<BuildOutput> build(RunnerTarget target, BuildRequest build, Publisher<ByteBuf> tarGz) {
        return authorized(target)
                .headers(h -> h.set(RunnerProtocol.BUILD_HEADER, ProtocolJson.toHeader(build))
                        .set(HttpHeaderNames.CONTENT_TYPE, "application/gzip"))
                .post()
                .uri(target.baseUrl() + RunnerProtocol.BUILD_PATH)
                .send(tarGz)
                .response(RunnerClient::buildRecords);
    }

    /** Follows the log of the build running (or run) on the runner, from its start to its end record. */
    public Flux<BuildOutput> buildLog(RunnerTarget target) {
        return authorized(target)
                .get()
                .uri(target.baseUrl() + RunnerProtocol.BUILD_LOG_PATH)
                .response(RunnerClient::buildRecords);
    }

    /**
     * Runs a command beside the runtime's function ({@code POST /v1/command}) and answers how it ran, whatever its
     * exit code. The call gives up {@link #COMMAND_GRACE} after the command's own timeout, when the runner should
     * long have killed it and answered.
     */
    public Mono<CommandResult> command(RunnerTarget target, CommandRequest command) {
        return authorized(target)
                .responseTimeout(Duration.ofMillis(command.timeoutMs()).plus(COMMAND_GRACE))
                .headers(h -> h.set(HttpHeaderNames.CONTENT_TYPE, "application/json"))
                .post()
                .uri(target.baseUrl() + RunnerProtocol.COMMAND_PATH)
                .send(Mono.fromSupplier(() -> io.netty.buffer.Unpooled.wrappedBuffer(ProtocolJson.toBytes(command))))
                .responseSingle((response, body) -> body.asByteArray()
                        .defaultIfEmpty(new byte[0])
                        .map(bytes -> decode(response, bytes, CommandResult.class)));
    }

    /** A file the ended build left (e.g. {@code /mnt/code/code.tar.gz}), streamed; the subscriber releases each buffer. */
    public Flux<ByteBuf> artifact(RunnerTarget target, String path) {
        return authorized(target)
                .get()
                .uri(target.baseUrl() + RunnerProtocol.ARTIFACT_PATH + "?path="
                        + java.net.URLEncoder.encode(path, StandardCharsets.UTF_8))
                .response((response, content) -> response.status().code() != 200
                        ? failure(response, content)
                        : content.retain())
                .doOnDiscard(ByteBuf.class, ByteBuf::release);
    }

    private static Flux<BuildOutput> buildRecords(HttpClientResponse response, ByteBufFlux content) {
        if (response.status().code() != 200) {
            return failure(response, content);
        }
        boolean[] ended = new boolean[1];
        return lines(content, MAX_BUILD_LINE_BYTES)
                .map(line -> ProtocolJson.fromBytes(line.getBytes(StandardCharsets.UTF_8), BuildOutput.class))
                .doOnNext(record -> ended[0] |= record.ends())
                .concatWith(Mono.defer(() -> ended[0] ? Mono.empty() : Mono.error(new TruncatedExecutionException(
                        "runner response ended without the build's end record (pod or connection lost)"))));
    }

    private HttpClient authorized(RunnerTarget target) {
        return at(http.headers(h -> authorize(h, target)), target);
    }

    /**
     * The client aimed at a runner on a Unix domain socket when the target is one (its calls then have relative URIs);
     * unchanged for TCP. The connection pool is keyed by the remote address, so each socket keeps its own connections.
     */
    private static HttpClient at(HttpClient client, RunnerTarget target) {
        String path = target.socketPath();
        if (path == null) {
            return client;
        }
        DomainSocketAddress address = new DomainSocketAddress(path);
        return client.remoteAddress(() -> address);
    }

    private static io.netty.handler.codec.http.HttpHeaders authorize(io.netty.handler.codec.http.HttpHeaders headers,
                                                                     RunnerTarget target) {
        headers.set(RunnerProtocol.SECRET_HEADER, target.secret());
        if (target.fencingToken() > 0) {
            headers.set(RunnerProtocol.TOKEN_HEADER, target.fencingToken());
        }
        return headers;
    }
}
