package dev.hearth.gateway.health;

import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import reactor.core.publisher.Mono;

/** {@code GET /v1/health}: {@code 200 OK} as plain text, unauthenticated (Open Runtimes 0.27). */
@Component
public class HealthHandler {

    private static final MediaType TEXT_UTF8 = MediaType.parseMediaType("text/plain; charset=UTF-8");

    public Mono<ServerResponse> health(ServerRequest request) {
        return ServerResponse.ok().contentType(TEXT_UTF8).bodyValue("OK");
    }
}
