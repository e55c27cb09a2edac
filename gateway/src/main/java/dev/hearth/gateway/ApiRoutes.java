package dev.hearth.gateway;


import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

import dev.hearth.gateway.health.HealthHandler;
import dev.hearth.gateway.logs.LogsHandler;
import dev.hearth.gateway.runtime.CommandsHandler;
import dev.hearth.gateway.runtime.RuntimeHandler;

/**
 * The Open Runtimes Executor v1 routes (§1.2) that WebFlux serves. Authentication is {@code ExecutorAuthFilter}'s job.
 * Executions are not here: {@code ExecutionRoute} serves them on plain Netty, ahead of Reactor Netty and WebFlux.
 */
@Configuration(proxyBeanMethods = false)
public class ApiRoutes {

    @Bean
    RouterFunction<ServerResponse> executorApi(HealthHandler health, RuntimeHandler runtimes,
                                               LogsHandler logs,
                                               CommandsHandler commands) {
        return RouterFunctions.route()
                .GET("/v1/health", health::health)
                // HEAD runs as GET with the body suppressed (the server drops it), as utopia-php does.
                .HEAD("/v1/health", health::health)
                .HEAD("/v1/runtimes", runtimes::list)
                .HEAD("/v1/runtimes/{runtimeId}", runtimes::get)
                .POST("/v1/runtimes", runtimes::create)
                .GET("/v1/runtimes", runtimes::list)
                .GET("/v1/runtimes/{runtimeId}", runtimes::get)
                .DELETE("/v1/runtimes/{runtimeId}", runtimes::delete)
                .GET("/v1/runtimes/{runtimeId}/logs", logs::logs)
                .POST("/v1/runtimes/{runtimeId}/commands", commands::command)
                .build();
    }
}
