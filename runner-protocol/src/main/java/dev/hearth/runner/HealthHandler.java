package dev.hearth.runner;

import java.nio.charset.StandardCharsets;

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
                .sendByteArray(Mono.fromSupplier(() -> json(health)));
    }

    /**
     * {@link RunnerHealth} as {@link ProtocolJson} writes it, without Jackson: a warm pod answers health long
     * before its first specialization, and Jackson's classes (about 600) would otherwise be loaded by the first
     * probe, on the path from start to healthy. Every value is a number, a boolean or a name with no character
     * JSON escapes ({@code status}, an adapter's wire name); {@code HealthHandlerTest} holds the two forms equal.
     */
    static byte[] json(RunnerHealth health) {
        StringBuilder json = new StringBuilder(96).append("{\"status\":\"").append(health.status())
                .append("\",\"protocols\":[");
        for (int i = 0; i < health.protocols().size(); i++) {
            json.append(i == 0 ? "" : ",").append(health.protocols().get(i).intValue());
        }
        return json.append("],\"specialized\":").append(health.specialized())
                .append(",\"adapter\":\"").append(health.adapter())
                .append("\",\"inFlight\":").append(health.inFlight()).append('}')
                .toString().getBytes(StandardCharsets.US_ASCII);
    }
}
