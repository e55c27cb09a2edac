package dev.hearth.runner;

import dev.hearth.runner.protocol.RunnerProtocol;
import io.netty.handler.codec.http.HttpMethod;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Dispatches a call to its handler after the {@link RequestGuard}, and turns every failure (thrown while
 * routing or signalled by the handler) into the protocol's error body through {@link ErrorResponses}.
 */
final class RunnerRoutes {

    private final RequestGuard guard;
    private final HealthHandler health;
    private final SpecializeHandler specialize;
    private final ExecuteHandler execute;
    private final LogsHandler logs;
    private final BuildHandler build;
    private final ArtifactHandler artifact;
    private final CommandHandler command;

    RunnerRoutes(RequestGuard guard, HealthHandler health, SpecializeHandler specialize, ExecuteHandler execute,
                 LogsHandler logs, BuildHandler build, ArtifactHandler artifact, CommandHandler command) {
        this.guard = guard;
        this.health = health;
        this.specialize = specialize;
        this.execute = execute;
        this.logs = logs;
        this.build = build;
        this.artifact = artifact;
        this.command = command;
    }

    Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        Publisher<Void> result;
        try {
            result = route(request, response);
        } catch (RuntimeException e) {
            return ErrorResponses.send(response, e);
        }
        return Flux.from(result)
                .onErrorResume(error -> ErrorResponses.send(response, error));
    }

    private Publisher<Void> route(HttpServerRequest request, HttpServerResponse response) {
        String path = request.fullPath();
        HttpMethod method = request.method();
        if (path.equals(RunnerProtocol.HEALTH_PATH) && method.equals(HttpMethod.GET)) {
            return health.handle(request, response);
        }
        if (path.equals(RunnerProtocol.SPECIALIZE_PATH) && method.equals(HttpMethod.POST)) {
            guard.check(request);
            return specialize.handle(request, response);
        }
        if (path.equals(RunnerProtocol.EXECUTE_PATH) && method.equals(HttpMethod.POST)) {
            guard.check(request);
            return execute.handle(request, response);
        }
        if (path.equals(RunnerProtocol.LOGS_PATH) && method.equals(HttpMethod.GET)) {
            guard.check(request);
            return logs.handle(request, response);
        }
        if (path.equals(RunnerProtocol.BUILD_PATH) && method.equals(HttpMethod.POST)) {
            guard.check(request);
            return build.build(request, response);
        }
        if (path.equals(RunnerProtocol.BUILD_LOG_PATH) && method.equals(HttpMethod.GET)) {
            guard.check(request);
            return build.follow(request, response);
        }
        if (path.equals(RunnerProtocol.ARTIFACT_PATH) && method.equals(HttpMethod.GET)) {
            guard.check(request);
            return artifact.handle(request, response);
        }
        if (path.equals(RunnerProtocol.COMMAND_PATH) && method.equals(HttpMethod.POST)) {
            guard.check(request);
            return command.handle(request, response);
        }
        throw new RunnerException(404, "not_found", "no route for " + method + " " + path);
    }
}
