package dev.hearth.gateway.api.error;

import java.util.Map;
import java.util.function.BiConsumer;

/**
 * An error as it goes on the wire: the status, the executor's error body and its fixed headers (JSON, no caching,
 * {@code Server: Executor}). Made by {@link ExecutorErrorHandler#answer}, the one translator; written by whichever
 * server answers the request (WebFlux's response or Reactor Netty's), so that both answer alike.
 *
 * @param status the HTTP status, also the body's {@code code}
 * @param body   the JSON body {@code {"type","message","code","version"}}
 */
public record ErrorAnswer(int status, byte[] body) {

    public static final String SERVER_HEADER_VALUE = "Executor";

    /** The headers of every error answer, besides {@code Content-Length}; in the order they are set. */
    private static final Map<String, String> HEADERS = orderedHeaders();

    /** Hands each of the answer's headers (not {@code Content-Length}) to {@code header}. */
    public void headers(BiConsumer<String, String> header) {
        HEADERS.forEach(header);
    }

    private static Map<String, String> orderedHeaders() {
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put("Content-Type", "application/json; charset=UTF-8");
        headers.put("Cache-Control", "no-cache, no-store, must-revalidate");
        headers.put("Expires", "0");
        headers.put("Pragma", "no-cache");
        headers.put("Server", SERVER_HEADER_VALUE);
        return java.util.Collections.unmodifiableMap(headers);
    }
}
