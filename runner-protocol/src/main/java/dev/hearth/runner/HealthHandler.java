package dev.hearth.runner;

import dev.hearth.runner.function.FunctionAdapter;
import dev.hearth.runner.protocol.ProtocolJson;
import dev.hearth.runner.protocol.RunnerHealth;
import dev.hearth.runner.protocol.RunnerProtocol;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * {@code GET /v1/health}: no secret, answers while warm and after (readiness probe); {@code specialized} is true
 * once the runner is not warm any more (specialized, or building).
 */
final class HealthHandler {

    private final RunnerState state;

    HealthHandler(RunnerState state) {
        this.state = state;
    }

    Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        FunctionAdapter adapter = state.adapter();
        RunnerHealth health = new RunnerHealth("ok", RunnerProtocol.SUPPORTED_VERSIONS, state.isTaken(),
                adapter == null ? "" : adapter.kind().wireName(), state.inFlight());
        return response.header("content-type", "application/json")
                .sendByteArray(Mono.fromSupplier(() -> ProtocolJson.toBytes(health)));
    }
}
