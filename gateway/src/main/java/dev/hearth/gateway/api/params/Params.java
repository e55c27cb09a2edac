package dev.hearth.gateway.api.params;

import dev.hearth.gateway.api.error.ExecutorException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * One request's parameters, read per §1.1 "Param sources", with typed accessors that follow the
 * utopia validators of §1.1: a param is validated only when present (a JSON {@code null} counts as
 * absent); an absent param takes its default. A violation throws a 400 {@code general_unknown}
 * {@link ExecutorException} worded as utopia does in development mode:
 * {@code Invalid `<name>` param: <validator description>}.
 *
 * <p>Values are what the source gave: strings, numbers, booleans, nested maps (JSON objects and
 * folded bracket keys), lists, and {@code byte[]} for multipart file parts. Immutable view;
 * thread-safe once built.
 */
public final class Params {

    private final Map<String, Object> values;

    public Params(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Reads a functional request's params; its route variables override body params. Lazy. */
    public static Mono<Params> read(ServerRequest request) {
        return Mono.defer(() -> ParamsReader.read(request.exchange().getRequest(), request.pathVariables()));
    }

    /**
     * Reads the params of a request received below WebFlux (the execution route on Reactor Netty); {@code
     * routeVariables} override body params. Lazy.
     */
    public static Mono<Params> read(ParamsSource source, Map<String, String> routeVariables) {
        return Mono.defer(() -> ParamsReader.read(source, routeVariables));
    }

    /** Reads an exchange's params, with the route variables the handler mapping stored. Lazy. */
    public static Mono<Params> read(ServerWebExchange exchange) {
        return Mono.defer(() -> ParamsReader.read(exchange.getRequest(), routeVariables(exchange)));
    }

    public Map<String, Object> asMap() {
        return values;
    }

    /** Present: sent with a non-null value. Only present params are validated. */
    public boolean has(String name) {
        return values.get(name) != null;
    }

    /** The raw value, or null when absent. */
    public Object raw(String name) {
        return values.get(name);
    }

    /** Fails with utopia's message unless the param is present. */
    public void require(String name) {
        if (!has(name)) {
            throw ExecutorException.badRequest("Param \"" + name + "\" is not optional.");
        }
    }

    /**
     * {@code Text(maxLen, minLen)}: a string of {@code minLen..maxLen} code points ({@code mb_strlen});
     * {@code maxLen} 0 means unbounded. Absent → {@code defaultValue}.
     */
    public String text(String name, int maxLen, int minLen, String defaultValue) {
        return has(name) ? Validators.text(name, raw(name), maxLen, minLen) : defaultValue;
    }

    /**
     * {@link #text} with the executor's "empty" rule: {@code ""} and {@code "0"} both mean empty,
     * because Appwrite's multipart writes every falsy value as {@code "0"}. Absent → {@code ""}.
     */
    public String textOrEmpty(String name, int maxLen, int minLen) {
        String value = text(name, maxLen, minLen, "");
        return isEmptyText(value) ? "" : value;
    }

    /** A required {@code Text(maxLen, minLen)}. */
    public String requiredText(String name, int maxLen, int minLen) {
        require(name);
        return text(name, maxLen, minLen, null);
    }

    /** {@code Integer(loose)}: 32-bit; loose also accepts integer strings such as {@code "15"}. */
    public int integer(String name, boolean loose, int defaultValue) {
        return has(name) ? Validators.integer(name, raw(name), loose) : defaultValue;
    }

    /** {@code FloatValidator(true)}: any number, or a numeric string. */
    public double decimal(String name, double defaultValue) {
        return has(name) ? Validators.decimal(name, raw(name)) : defaultValue;
    }

    /** {@code Boolean(loose)}: loose also accepts "true"/"false", "1"/"0" and 1/0. */
    public boolean bool(String name, boolean loose, boolean defaultValue) {
        return has(name) ? Validators.bool(name, raw(name), loose) : defaultValue;
    }

    /**
     * {@code Assoc(65535)}: an object (a JSON string is decoded first; "" and "0" are empty), not a
     * list, whose JSON is at most 65535 bytes. Absent → an empty map. The map is a copy.
     */
    public Map<String, Object> assoc(String name) {
        return has(name) ? Validators.assoc(name, raw(name)) : new LinkedHashMap<>();
    }

    /**
     * {@code WhiteList(values, strict)}: strict compares exactly, loose ignores case. Returns the
     * whitelist's own spelling of the value. Absent → {@code defaultValue}.
     */
    public String whitelist(String name, java.util.List<String> allowed, boolean strict, String defaultValue) {
        return has(name) ? Validators.whitelist(name, raw(name), allowed, strict) : defaultValue;
    }

    /** The executor's {@code $x !== '' && $x !== '0'} test, inverted. */
    public static boolean isEmptyText(String value) {
        return value == null || value.isEmpty() || "0".equals(value);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> routeVariables(ServerWebExchange exchange) {
        Object functional = exchange.getAttribute(RouterFunctions.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
        Object annotated = exchange.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
        Object variables = functional != null ? functional : annotated;
        return variables instanceof Map<?, ?> map ? (Map<String, String>) map : Map.of();
    }

    @Override
    public String toString() {
        // Values may hold secrets (variables, headers): name the keys only.
        return "Params" + values.keySet();
    }
}
