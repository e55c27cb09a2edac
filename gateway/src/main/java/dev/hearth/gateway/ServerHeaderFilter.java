package dev.hearth.gateway;

import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import dev.hearth.gateway.api.error.ExecutorErrorHandler;
import reactor.core.publisher.Mono;

/** Every response says {@code Server: Executor}, as Open Runtimes' executor does (§1.1). */
@Component
public class ServerHeaderFilter implements WebFilter, Ordered {

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        exchange.getResponse().getHeaders().set("Server", ExecutorErrorHandler.SERVER_HEADER_VALUE);
        return chain.filter(exchange);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
