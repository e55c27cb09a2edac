package dev.hearth.gateway.execution;

import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

import dev.hearth.gateway.execution.response.ExecutionOutput;
import dev.hearth.gateway.execution.response.JsonExecutionWriter;
import dev.hearth.gateway.execution.response.MultipartExecutionWriter;
import dev.hearth.gateway.execution.response.ResponseFormat;
import reactor.core.publisher.Mono;

/** Picks the response encoding the caller's {@code Accept} asks for (§1.6) and writes the execution with it. */
@Component
public class ExecutionWriters {

    public Mono<Void> write(ServerWebExchange exchange, ExecutionOutput output) {
        HttpHeaders headers = exchange.getRequest().getHeaders();
        ResponseFormat format = ResponseFormat.choose(headers.getFirst(HttpHeaders.ACCEPT));
        return format == ResponseFormat.JSON
                ? JsonExecutionWriter.write(exchange, output)
                : MultipartExecutionWriter.write(exchange, output);
    }
}
