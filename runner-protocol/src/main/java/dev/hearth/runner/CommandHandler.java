package dev.hearth.runner;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.Executor;

import org.reactivestreams.Publisher;

import dev.hearth.runner.function.FunctionWorkspace;
import dev.hearth.runner.process.CommandRun;
import dev.hearth.runner.process.ProcessSupervisor;
import dev.hearth.runner.protocol.CommandRequest;
import dev.hearth.runner.protocol.ProtocolJson;
import dev.hearth.runner.protocol.RunnerProtocol;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * {@code POST /v1/command}: runs one command in the specialized function's workspace (its code directory and
 * environment) and answers a {@link dev.hearth.runner.protocol.CommandResult} once it ended, whatever its exit code;
 * the gateway maps a failure or timeout to the API's error. Only a specialized runner runs commands: a warm pod has
 * no function to run them beside.
 */
final class CommandHandler {

    private final RunnerState state;
    private final ProcessSupervisor supervisor;
    private final Executor io;

    CommandHandler(RunnerState state, ProcessSupervisor supervisor, Executor io) {
        this.state = state;
        this.supervisor = supervisor;
        this.io = io;
    }

    Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        FunctionWorkspace workspace = state.workspace();
        if (workspace == null) {
            throw new RunnerException(409, "not_specialized", "commands run beside a loaded function only");
        }
        return request.receive().asByteArray()
                // Refused as soon as it is too long: the body is never held beyond the cap.
                .reduceWith(ByteArrayOutputStream::new, CommandHandler::append)
                .map(ByteArrayOutputStream::toByteArray)
                .filter(body -> body.length > 0)
                .switchIfEmpty(Mono.error(() -> RunnerException.badRequest("a command request needs a body")))
                .map(CommandHandler::parse)
                .flatMap(command -> Mono.fromCallable(() -> CommandRun.start(command.command(), workspace.code(),
                                workspace.environment(), command.timeoutMs(), supervisor, io))
                        .subscribeOn(Schedulers.boundedElastic())
                        // A caller leaving ends the command: nobody would read its result.
                        .flatMap(run -> Mono.fromFuture(run.result(), true).doOnCancel(run::kill)))
                .onErrorMap(IOException.class, e -> new RunnerException(500, "command_failed",
                        "the command could not start: " + e.getMessage(), e))
                .flatMap(result -> response.header("content-type", "application/json")
                        .sendByteArray(Mono.just(ProtocolJson.toBytes(result)))
                        .then());
    }

    private static ByteArrayOutputStream append(ByteArrayOutputStream body, byte[] chunk) {
        if (body.size() + chunk.length > RunnerProtocol.MAX_COMMAND_REQUEST_BYTES) {
            throw RunnerException.badRequest("a command request is at most "
                    + RunnerProtocol.MAX_COMMAND_REQUEST_BYTES + " bytes");
        }
        body.writeBytes(chunk);
        return body;
    }

    private static CommandRequest parse(byte[] body) {
        try {
            return ProtocolJson.fromBytes(body, CommandRequest.class);
        } catch (RuntimeException e) {
            throw RunnerException.badRequest("invalid command request: " + e.getMessage());
        }
    }
}
