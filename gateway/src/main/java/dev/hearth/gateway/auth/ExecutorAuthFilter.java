package dev.hearth.gateway.auth;

import dev.hearth.gateway.api.error.ExecutorProperties;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The executor's key check (§1.1 "Auth", {@link ExecutorKey}) on every WebFlux path under {@code /v1/} except
 * {@code GET|HEAD /v1/health}. Unlike upstream it also guards {@code /commands}, whose missing
 * check upstream is a bug. {@code /actuator/**} is outside {@code /v1/} and not guarded here. Executions do not
 * pass here: {@code ExecutionRoute} serves them on plain Netty, below WebFlux, and asks the same {@link ExecutorKey}.
 *
 * <p>A rejection is raised as an {@code ExecutorException} so that the one error translator writes the 401.
 *
 * <p>The path is matched on its decoded segments without matrix parameters, the form the router
 * matches on, so that {@code /v1;x/runtimes} or {@code /%761/runtimes} cannot route to a guarded
 * handler while escaping this check. Thread-safe.
 */
@Component
public class ExecutorAuthFilter implements WebFilter, Ordered {

    /** Runs before everything else that might do work for an unauthenticated caller. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 10;

    private final ExecutorKey key;

    public ExecutorAuthFilter(ExecutorProperties properties) {
        this.key = new ExecutorKey(properties);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        if (!isGuarded(request) || key.admits(request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION))) {
            return chain.filter(exchange);
        }
        return Mono.error(ExecutorKey.rejection());
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    static boolean isGuarded(ServerHttpRequest request) {
        // The first three segments decide it (v1, health, anything after); no list is built: it runs per request.
        String[] first = new String[3];
        int count = 0;
        for (PathContainer.Element element : request.getPath().pathWithinApplication().elements()) {
            if (element instanceof PathContainer.PathSegment segment && !segment.valueToMatch().isEmpty()) {
                first[count++] = segment.valueToMatch();
                if (count == first.length) {
                    break;
                }
            }
        }
        if (count == 0 || !"v1".equals(first[0])) {
            return false;
        }
        boolean health = count == 2 && "health".equals(first[1]);
        boolean read = HttpMethod.GET.equals(request.getMethod()) || HttpMethod.HEAD.equals(request.getMethod());
        return !(health && read);
    }
}
