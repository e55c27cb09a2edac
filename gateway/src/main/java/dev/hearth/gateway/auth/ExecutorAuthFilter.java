package dev.hearth.gateway.auth;

import dev.hearth.gateway.api.error.ErrorType;
import dev.hearth.gateway.api.error.ExecutorException;
import dev.hearth.gateway.api.error.ExecutorProperties;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
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
 * The executor's key check (§1.1 "Auth") on every path under {@code /v1/} except
 * {@code GET|HEAD /v1/health}. Unlike upstream it also guards {@code /commands}, whose missing
 * check upstream is a bug. {@code /actuator/**} is outside {@code /v1/} and not guarded here.
 *
 * <p>The key is the second space-separated token of {@code Authorization}; the scheme word is not
 * checked, as upstream. It is compared in constant time. An empty configured secret, or "0",
 * rejects every call (fail closed). A rejection is raised as an {@link ExecutorException} so that
 * the one error translator writes the 401. The key is never logged.
 *
 * <p>The path is matched on its decoded segments without matrix parameters, the form the router
 * matches on, so that {@code /v1;x/runtimes} or {@code /%761/runtimes} cannot route to a guarded
 * handler while escaping this check. Thread-safe.
 */
@Component
public class ExecutorAuthFilter implements WebFilter, Ordered {

    /** Runs before everything else that might do work for an unauthenticated caller. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 10;
    static final String MISSING_KEY = "Missing executor key";

    private final ExecutorProperties properties;

    public ExecutorAuthFilter(ExecutorProperties properties) {
        this.properties = properties;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        if (!isGuarded(request) || isAuthorized(request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION))) {
            return chain.filter(exchange);
        }
        return Mono.error(new ExecutorException(ErrorType.GENERAL_UNAUTHORIZED, MISSING_KEY));
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

    /** Constant-time in the key's content; the length may leak, which reveals nothing useful. */
    boolean isAuthorized(String authorization) {
        if (!properties.hasUsableSecret() || authorization == null) {
            return false;
        }
        String[] tokens = authorization.split(" ", -1);
        if (tokens.length < 2) {
            return false;
        }
        byte[] given = tokens[1].getBytes(StandardCharsets.UTF_8);
        byte[] expected = properties.secret().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, expected);
    }
}
