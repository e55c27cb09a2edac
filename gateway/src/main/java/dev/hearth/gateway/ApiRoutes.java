package dev.hearth.gateway;


import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

import dev.hearth.gateway.execution.ExecutionHandler;
import dev.hearth.gateway.health.HealthHandler;
import dev.hearth.gateway.logs.LogsHandler;
import dev.hearth.gateway.runtime.CommandsHandler;
import dev.hearth.gateway.runtime.RuntimeHandler;

/** The Open Runtimes Executor v1 routes (§1.2). Authentication is {@code ExecutorAuthFilter}'s job. */
@Configuration(proxyBeanMethods = false)
public class ApiRoutes {

    @Bean
    RouterFunction<ServerResponse> executorApi(HealthHandler health, RuntimeHandler runtimes,
                                               ExecutionHandler executions, LogsHandler logs,
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
                .POST("/v1/runtimes/{runtimeId}/executions", executions::execute)
                .POST("/v1/runtimes/{runtimeId}/execution", executions::execute)
                .GET("/v1/runtimes/{runtimeId}/logs", logs::logs)
                .POST("/v1/runtimes/{runtimeId}/commands", commands::command)
                .build();
    }
}
