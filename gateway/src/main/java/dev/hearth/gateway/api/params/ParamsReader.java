package dev.hearth.gateway.api.params;

import dev.hearth.gateway.api.error.ExecutorException;
import dev.hearth.runner.protocol.EventLoopJson;
import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a request's parameters the way utopia's Swoole adapter does (§1.1 "Param sources"):
 * POST/PUT/PATCH/DELETE take a JSON body when the content type is {@code application/json}, else
 * the urlencoded or multipart form fields (any other body gives no params); every other method
 * takes the query string. Route params are added last, so they override.
 *
 * <p>Bodies are capped at Swoole's {@code package_max_length} (22 MiB): beyond it the read fails
 * with {@code DataBufferLimitException} (mapped to 413). Stateless and thread-safe.
 */
final class ParamsReader {

    /** Swoole's {@code package_max_length} in the executor. */
    static final int MAX_BODY_BYTES = 22 * 1024 * 1024;

    private static final JsonMapper JSON = EventLoopJson.builder().build();
    private static final List<HttpMethod> BODY_METHODS =
            List.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE);

    private ParamsReader() {
    }

    static Mono<Params> read(ServerHttpRequest request, Map<String, String> routeVariables) {
        return read(new ParamsSource(request.getMethod(), request.getHeaders().getFirst(HttpHeaders.CONTENT_TYPE),
                request.getURI().getRawQuery(), request.getBody()), routeVariables);
    }

    static Mono<Params> read(ParamsSource source, Map<String, String> routeVariables) {
        return readSource(source)
                .map(values -> withRouteVariables(values, routeVariables))
                .map(Params::new);
    }

    private static Mono<Map<String, Object>> readSource(ParamsSource source) {
        if (!BODY_METHODS.contains(source.method())) {
            return Mono.fromCallable(() -> parseUrlEncoded(source.rawQuery(), StandardCharsets.UTF_8));
        }
        MediaType type = contentType(source.contentType());
        if (type == null) {
            return Mono.just(new LinkedHashMap<>());
        }
        if (MediaType.APPLICATION_JSON.equalsTypeAndSubtype(type)) {
            return bodyBytes(source).map(ParamsReader::parseJsonBody);
        }
        if (MediaType.APPLICATION_FORM_URLENCODED.equalsTypeAndSubtype(type)) {
            return bodyBytes(source).map(bytes -> parseUrlEncoded(new String(bytes, StandardCharsets.ISO_8859_1), StandardCharsets.ISO_8859_1));
        }
        if (MediaType.MULTIPART_FORM_DATA.equalsTypeAndSubtype(type)) {
            return bodyBytes(source).map(bytes -> parseMultipart(type, bytes));
        }
        return Mono.just(new LinkedHashMap<>());
    }

    /** As {@code HttpHeaders.getContentType()}: null when absent or empty; a malformed one throws. */
    private static MediaType contentType(String header) {
        return header == null || header.isEmpty() ? null : MediaType.parseMediaType(header);
    }

    private static Map<String, Object> withRouteVariables(Map<String, Object> values, Map<String, String> route) {
        values.putAll(route);
        return values;
    }

    private static Mono<byte[]> bodyBytes(ParamsSource source) {
        return DataBufferUtils.join(source.body(), MAX_BODY_BYTES)
                .map(ParamsReader::drain)
                .defaultIfEmpty(new byte[0]);
    }

    static byte[] drain(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return bytes;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parseJsonBody(byte[] bytes) {
        if (isBlank(bytes)) {
            return new LinkedHashMap<>(); // PHP: json_decode('') is null, and an empty payload is []
        }
        Object value = decodeJson(bytes, "Invalid JSON body: ");
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        if (value instanceof List<?> list && list.isEmpty()) {
            return new LinkedHashMap<>(); // PHP encodes an empty array as [] even when it means {}
        }
        throw ExecutorException.badRequest("Invalid JSON body: expected a JSON object");
    }

    private static boolean isBlank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    /** Decodes any JSON value; objects keep their key order. */
    static Object decodeJson(byte[] bytes, String errorPrefix) {
        try {
            return JSON.readValue(bytes, Object.class);
        } catch (JacksonException e) {
            throw ExecutorException.badRequest(errorPrefix + e.getOriginalMessage());
        }
    }

    /**
     * PHP's {@code parse_str}: {@code +} is a space, later keys win, bracket keys nest, and a
     * malformed escape stays literal. A value that is not valid UTF-8 once unescaped stays bytes.
     */
    static Map<String, Object> parseUrlEncoded(String encoded, Charset raw) {
        Map<String, Object> values = new LinkedHashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return values;
        }
        for (String pair : encoded.split("&")) {
            int eq = pair.indexOf('=');
            String key = new String(unescape(eq < 0 ? pair : pair.substring(0, eq), raw), StandardCharsets.UTF_8);
            if (!key.isEmpty()) {
                Object value = eq < 0 ? "" : MultipartValues.textOrBytes(unescape(pair.substring(eq + 1), raw), StandardCharsets.UTF_8);
                BracketKeys.put(values, key, value);
            }
        }
        return values;
    }

    /**
     * Percent-decoding to bytes, as PHP's {@code urldecode}. {@code raw} turns the text back into
     * the bytes that were sent: ISO-8859-1 for a body read as such, UTF-8 for a URI's query.
     */
    private static byte[] unescape(String text, Charset raw) {
        byte[] in = text.getBytes(raw);
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        for (int i = 0; i < in.length; i++) {
            int hi = i + 2 < in.length ? Character.digit(in[i + 1], 16) : -1;
            int lo = hi >= 0 ? Character.digit(in[i + 2], 16) : -1;
            if (in[i] == '%' && lo >= 0) {
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                out.write(in[i] == '+' ? ' ' : in[i]);
            }
        }
        return out.toByteArray();
    }

    private static Map<String, Object> parseMultipart(MediaType type, byte[] body) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (MultipartBody.Part part : MultipartBody.parse(type, body)) {
            BracketKeys.put(values, part.name(), MultipartValues.value(part));
        }
        return values;
    }


}
