package dev.hearth.gateway.runtime;

import java.time.Duration;
import java.util.Map;

import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import dev.hearth.gateway.api.error.ErrorType;
import dev.hearth.gateway.api.error.ExecutorException;
import dev.hearth.gateway.api.params.Params;
import dev.hearth.pool.runtime.Runtimes;
import dev.hearth.runner.protocol.CommandResult;
import reactor.core.publisher.Mono;

/**
 * {@code POST /v1/runtimes/{runtimeId}/commands} (§1.2): runs {@code command} in the runtime's pod, beside its function,
 * and answers {@code 200 {"output": …}} (stdout, then stderr). A command past its {@code timeout} (seconds, default
 * 600) is killed with its children and answered {@code 500 command_timeout}; a non-zero exit is
 * {@code 500 command_failed}, as upstream. Unlike upstream, where the route has no auth group, it is authenticated
 * like every other route but health.
 */
@Component
public class CommandsHandler {

    private final Runtimes runtimes;

    public CommandsHandler(Runtimes runtimes) {
        this.runtimes = runtimes;
    }

    public Mono<ServerResponse> command(ServerRequest request) {
        String runtimeId = request.pathVariable("runtimeId");
        return Params.read(request)
                .flatMap(params -> {
                    if (runtimeId.length() > 64) {
                        throw ExecutorException.badRequest(
                                "Invalid `runtimeId` param: Value must be a valid string and at most 64 chars");
                    }
                    String command = params.requiredText("command", 1024, 1);
                    int timeout = params.integer("timeout", false, 600);
                    if (timeout < 1) {
                        throw ExecutorException.badRequest("Invalid `timeout` param: must be at least 1 second");
                    }
                    return runtimes.command(runtimeId, command, Duration.ofSeconds(timeout));
                })
                .map(CommandsHandler::output)
                .flatMap(output -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("output", output)));
    }

    private static String output(CommandResult result) {
        if (result.timedOut()) {
            throw new ExecutorException(ErrorType.COMMAND_TIMEOUT);
        }
        if (result.exitCode() != 0) {
            throw new ExecutorException(ErrorType.COMMAND_FAILED);
        }
        return result.output();
    }
}
