package dev.hearth.gateway.execution;

import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

import dev.hearth.gateway.execution.response.ExecutionHeaders;
import dev.hearth.gateway.execution.response.ExecutionOutput;
import dev.hearth.gateway.execution.response.JsonExecutionWriter;
import dev.hearth.gateway.execution.response.MultipartExecutionWriter;
import dev.hearth.gateway.execution.response.ResponseFormat;
import reactor.core.publisher.Mono;

/**
 * Picks the response encoding the caller's {@code Accept} asks for (§1.6) and writes the execution with it, the
 * function's headers shaped for the request's {@value ExecutionHeaders#RESPONSE_FORMAT_HEADER}. Lazy: nothing
 * happens until subscription.
 */
@Component
public class ExecutionWriters {

    public Mono<Void> write(ServerWebExchange exchange, ExecutionOutput output) {
        return Mono.defer(() -> {
            HttpHeaders request = exchange.getRequest().getHeaders();
            ExecutionHeaders headers = ExecutionHeaders.shape(output.headers(),
                    request.getFirst(ExecutionHeaders.RESPONSE_FORMAT_HEADER));
            return ResponseFormat.choose(request.getFirst(HttpHeaders.ACCEPT)) == ResponseFormat.JSON
                    ? JsonExecutionWriter.write(exchange.getResponse(), output, headers)
                    : MultipartExecutionWriter.write(exchange.getResponse(), output, headers);
        });
    }
}
