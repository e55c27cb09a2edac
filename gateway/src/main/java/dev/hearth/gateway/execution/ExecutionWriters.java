package dev.hearth.gateway.execution;

import org.springframework.stereotype.Component;

import dev.hearth.gateway.execution.response.ExecutionHeaders;
import dev.hearth.gateway.execution.response.ExecutionOutput;
import dev.hearth.gateway.execution.response.JsonExecutionWriter;
import dev.hearth.gateway.execution.response.MultipartExecutionWriter;
import dev.hearth.gateway.execution.response.ResponseFormat;
import dev.hearth.gateway.execution.response.ResponseSink;
import reactor.core.publisher.Mono;

/**
 * Picks the response encoding the caller's {@code Accept} asks for (§1.6) and writes the execution with it, the
 * function's headers shaped for the request's {@value ExecutionHeaders#RESPONSE_FORMAT_HEADER}. Lazy: nothing
 * happens until subscription.
 */
@Component
public class ExecutionWriters {

    public Mono<Void> write(ExecutionCall call, ResponseSink sink, ExecutionOutput output) {
        return Mono.defer(() -> {
            ExecutionHeaders headers = ExecutionHeaders.shape(output.headers(), call.responseFormat());
            return ResponseFormat.choose(call.accept()) == ResponseFormat.JSON
                    ? JsonExecutionWriter.write(sink, output, headers)
                    : MultipartExecutionWriter.write(sink, output, headers);
        });
    }
}
