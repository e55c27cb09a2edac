package dev.hearth.pool.kubernetes.harness;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;

import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1Pod;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.resources.ConnectionProvider;

/**
 * The front of the mock API server (toolchain.md, "Kubernetes API without a cluster"). Ordinary requests
 * pass through; a {@code ?watch=true} request becomes a WebSocket to the mock, each message sent back as one
 * line of a chunked {@code application/json} response, which is what client-java's watch expects. Also where
 * API faults are injected: a share of calls without {@link #INTERNAL_HEADER} is answered 500/429; and where RBAC
 * is enforced: a call of the code under test outside {@code KubernetesRbac.RULES} is answered 403; and where a
 * mutating admission policy ({@link Faults#podAdmission}) changes every pod created, whoever creates it.
 */
final class ApiFrontServer implements AutoCloseable {

    /** Marks the harness's own calls, which faults never touch. */
    static final String INTERNAL_HEADER = "x-hearth-harness-internal";
    private static final int MAX_FRAME = 16 * 1024 * 1024;
    private static final byte[] EMPTY = new byte[0];
    private static final JSON POD_JSON = new JSON();

    private final String mockAuthority;
    private final Faults faults;
    private final ConnectionProvider provider;
    private final HttpClient upstream;
    private final DisposableServer server;
    private final Sinks.Many<Mono<Void>> serial = Sinks.many().unicast().onBackpressureBuffer();
    private final Disposable serialLoop;
    private final Set<ApiAccess> observed = ConcurrentHashMap.newKeySet();
    /** Every watch's WebSocket to the mock, closed only with the harness (see {@link #bridgeWatch}). */
    private final Disposable.Composite webSockets = Disposables.composite();

    ApiFrontServer(String mockHost, int mockPort, Faults faults) {
        this.mockAuthority = mockHost + ":" + mockPort;
        this.faults = faults;
        this.provider = ConnectionProvider.builder("harness-api").maxConnections(256).pendingAcquireMaxCount(-1).build();
        this.upstream = HttpClient.create(provider);
        this.serialLoop = serial.asFlux()
                .concatMap(task -> task.onErrorResume(error -> Mono.empty()))
                .subscribe();
        this.server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .handle(this::handle)
                .bindNow(Duration.ofSeconds(10));
    }

    /** Every access the code under test made (the harness's own calls excluded). */
    Set<ApiAccess> observedAccess() {
        return Set.copyOf(observed);
    }

    String url() {
        return "http://127.0.0.1:" + server.port();
    }

    @Override
    public void close() {
        serialLoop.dispose();
        webSockets.dispose();
        server.disposeNow(Duration.ofSeconds(5));
        provider.disposeLater().block(Duration.ofSeconds(5));
    }

    private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        boolean watch = request.uri().contains("watch=true") || request.uri().contains("watch=1");
        if (request.requestHeaders().contains(INTERNAL_HEADER)) {
            return watch ? bridgeWatch(request, response) : serve(request, response, true);
        }
        ApiAccess access = ApiAccess.of(request.method().name(), request.uri(), watch);
        Mono<Void> refused = refusal(request, response, access);
        if (refused != null) {
            return refused;
        }
        if (watch) {
            return bridgeWatch(request, response);
        }
        return faults.holdOf(access).then(Mono.defer(() -> serve(request, response, false)));
    }

    /**
     * A call of the code under test as an API server enforcing the chart's Role and a quota would answer it: 403
     * when either refuses it, {@code null} when it goes on (and is recorded as used).
     */
    private Mono<Void> refusal(HttpServerRequest request, HttpServerResponse response, ApiAccess access) {
        if (!access.allowed()) {
            return request.receive().then(forbidden(response, access));
        }
        observed.add(access);
        if (faults.rejectPodCreations() && access.verb().equals("create") && access.resource().equals("pods")) {
            return request.receive().then(quotaExceeded(response));
        }
        return null;
    }

    private Mono<Void> serve(HttpServerRequest request, HttpServerResponse response, boolean internal) {
        int injected = internal ? 0 : faults.injectedStatus();
        if (injected != 0) {
            return request.receive().then(fail(response, injected));
        }
        if (request.method().name().equals("PATCH")) {
            return serialized(patchWithPrecondition(request, response));
        }
        return passThrough(request, response);
    }

    /**
     * The mock ignores {@code metadata.resourceVersion} in a merge patch, which a real API server treats as a
     * precondition (409 when stale). This enforces it: patches are applied one at a time, each after
     * comparing the version it names with the stored one.
     */
    private Mono<Void> patchWithPrecondition(HttpServerRequest request, HttpServerResponse response) {
        return request.receive()
                .aggregate()
                .asByteArray()
                .defaultIfEmpty(EMPTY)
                .flatMap(body -> {
                    String expected = mergePatchVersion(request, body);
                    if (expected == null) {
                        return forward(request, body);
                    }
                    return currentVersion(request.uri()).flatMap(current -> expected.equals(current)
                            ? forward(request, body)
                            : Mono.just(conflict(expected, current)));
                })
                .flatMap(reply -> write(response, reply));
    }

    private static String mergePatchVersion(HttpServerRequest request, byte[] body) {
        String contentType = request.requestHeaders().get(HttpHeaderNames.CONTENT_TYPE, "");
        if (!contentType.startsWith("application/merge-patch+json") || body.length == 0) {
            return null;
        }
        JsonElement json = JsonParser.parseString(new String(body, StandardCharsets.UTF_8));
        JsonElement version = json.isJsonObject() && json.getAsJsonObject().has("metadata")
                ? json.getAsJsonObject().getAsJsonObject("metadata").get("resourceVersion") : null;
        return version == null || version.isJsonNull() ? null : version.getAsString();
    }

    private Mono<String> currentVersion(String uri) {
        String path = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
        return upstream.get()
                .uri("http://" + mockAuthority + path)
                .responseSingle((head, content) -> content.asString(StandardCharsets.UTF_8).defaultIfEmpty("{}"))
                .map(json -> {
                    JsonElement metadata = JsonParser.parseString(json).getAsJsonObject().get("metadata");
                    JsonElement version = metadata == null ? null : metadata.getAsJsonObject().get("resourceVersion");
                    return version == null ? "" : version.getAsString();
                });
    }

    private static Reply conflict(String expected, String current) {
        String body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                + "\"message\":\"the object has been modified (resourceVersion " + expected + " is stale, now " + current
                + ")\",\"reason\":\"Conflict\",\"code\":409}";
        return new Reply(HttpResponseStatus.CONFLICT, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    /** Runs {@code task} after every task handed in before it has finished. */
    private Mono<Void> serialized(Mono<Void> task) {
        Sinks.One<Void> done = Sinks.one();
        synchronized (serial) {
            serial.tryEmitNext(task.doFinally(signal -> done.tryEmitEmpty()));
        }
        return done.asMono();
    }

    /**
     * Relays the mock's WebSocket watch as chunked lines. The WebSocket is always read, whatever the client's pace,
     * and stays open (read and dropped) after the client went away, until the harness closes: the mock blocks its
     * event loop for 30 s, and with it every call, when a WebSocket closes while it is writing an event to it, and no
     * quiet moment is safe while other watchers' pods change. A test class opens a few dozen watches at most.
     */
    private Mono<Void> bridgeWatch(HttpServerRequest request, HttpServerResponse response) {
        Sinks.Many<String> lines = Sinks.many().unicast().onBackpressureBuffer();
        AtomicBoolean detached = new AtomicBoolean();
        webSockets.add(upstream
                .websocket(WebsocketClientSpec.builder().maxFramePayloadLength(MAX_FRAME).build())
                .uri("ws://" + mockAuthority + request.uri())
                .handle((in, out) -> in.aggregateFrames(MAX_FRAME).receive().asString(StandardCharsets.UTF_8))
                .subscribe(message -> {
                    if (!detached.get()) {
                        lines.tryEmitNext(message + "\n");
                    }
                }, error -> lines.tryEmitComplete(), lines::tryEmitComplete));
        Flux<String> relayed = lines.asFlux()
                .doFinally(signal -> detached.set(true));
        return response.header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .sendHeaders()
                .sendString(relayed, StandardCharsets.UTF_8)
                .then();
    }

    private Mono<Void> passThrough(HttpServerRequest request, HttpServerResponse response) {
        boolean podCreation = request.method().name().equals("POST")
                && ApiAccess.of("POST", request.uri(), false).resource().equals("pods");
        return request.receive()
                .aggregate()
                .asByteArray()
                .defaultIfEmpty(EMPTY)
                .map(body -> podCreation ? admitted(body) : body)
                .flatMap(body -> forward(request, body))
                .flatMap(reply -> write(response, reply));
    }

    /** A new pod as the admission policy of {@link Faults#podAdmission} leaves it; unchanged without one. */
    private byte[] admitted(byte[] body) {
        java.util.function.UnaryOperator<V1Pod> policy = faults.podAdmission();
        if (policy == null || body.length == 0) {
            return body;
        }
        V1Pod pod = POD_JSON.deserialize(new String(body, StandardCharsets.UTF_8), V1Pod.class);
        return POD_JSON.serialize(policy.apply(pod)).getBytes(StandardCharsets.UTF_8);
    }

    private static Mono<Void> write(HttpServerResponse response, Reply reply) {
        return response.status(reply.status())
                .header(HttpHeaderNames.CONTENT_TYPE, reply.contentType())
                .sendByteArray(Mono.just(reply.body()))
                .then();
    }

    private Mono<Reply> forward(HttpServerRequest request, byte[] body) {
        String contentType = request.requestHeaders().get(HttpHeaderNames.CONTENT_TYPE);
        return upstream
                .headers(headers -> {
                    if (contentType != null) {
                        headers.set(HttpHeaderNames.CONTENT_TYPE, contentType);
                    }
                    headers.set(HttpHeaderNames.ACCEPT, "application/json");
                })
                .request(request.method())
                .uri("http://" + mockAuthority + request.uri())
                .send(body.length == 0 ? Mono.empty() : Mono.just(Unpooled.wrappedBuffer(body)))
                .responseSingle((head, content) -> content.asByteArray()
                        .defaultIfEmpty(EMPTY)
                        .map(bytes -> new Reply(head.status(),
                                head.responseHeaders().get(HttpHeaderNames.CONTENT_TYPE, "application/json"), bytes)));
    }

    /** What an API server enforcing the chart's Role would answer to a call outside it. */
    private static Mono<Void> forbidden(HttpServerResponse response, ApiAccess access) {
        String body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                + "\"message\":\"" + access + " is not in KubernetesRbac.RULES\",\"reason\":\"Forbidden\",\"code\":403}";
        return response.status(403)
                .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .sendString(Mono.just(body))
                .then();
    }

    private static Mono<Void> quotaExceeded(HttpServerResponse response) {
        String body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                + "\"message\":\"pods is forbidden: exceeded quota: harness\",\"reason\":\"Forbidden\",\"code\":403}";
        return response.status(403)
                .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .sendString(Mono.just(body))
                .then();
    }

    private static Mono<Void> fail(HttpServerResponse response, int status) {
        String body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                + "\"message\":\"injected by the harness\",\"reason\":\"" + (status == 429 ? "TooManyRequests" : "InternalError")
                + "\",\"code\":" + status + "}";
        return response.status(status)
                .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .sendString(Mono.just(body))
                .then();
    }

    private record Reply(HttpResponseStatus status, String contentType, byte[] body) {
    }
}
