package dev.hearth.runner;

import dev.hearth.runner.protocol.ProtocolJson;
import dev.hearth.runner.protocol.RunnerError;
import dev.hearth.runner.protocol.RunnerProtocol;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;

/** The one place where failures become responses: {@code {"error": code, "message": text}}. */
final class ErrorResponses {

    private static final Logger log = LoggerFactory.getLogger(ErrorResponses.class);

    private ErrorResponses() {
    }

    static Publisher<Void> send(HttpServerResponse response, Throwable failure) {
        RunnerException error = toRunnerException(failure);
        if (failure instanceof RunnerException) {
            log.debug("runner call refused: {} {}", error.status(), error.code());
        } else {
            log.warn("runner call failed with {} {}", error.status(), error.code(), failure);
        }
        if (response.hasSentHeaders()) {
            // Too late for a status: cut the response so the caller sees a truncated stream.
            return Mono.error(failure);
        }
        byte[] body = ProtocolJson.toBytes(new RunnerError(error.code(), error.getMessage()));
        if ("unsupported_protocol".equals(error.code())) {
            response.header(RunnerProtocol.SUPPORTED_HEADER, supportedVersions());
        }
        return response.status(HttpResponseStatus.valueOf(error.status()))
                .header("content-type", "application/json")
                .sendByteArray(Mono.just(body));
    }

    static RunnerException toRunnerException(Throwable failure) {
        if (failure instanceof RunnerException runnerException) {
            return runnerException;
        }
        String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        return new RunnerException(500, "internal", message, failure);
    }

    static String supportedVersions() {
        return String.join(",", RunnerProtocol.SUPPORTED_VERSIONS.stream().map(String::valueOf).toList());
    }
}
