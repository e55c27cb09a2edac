package dev.hearth.runner.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON and header encoding of protocol records. Thread-safe; one shared mapper, since building a
 * mapper is expensive and using one is not.
 */
public final class ProtocolJson {

    private static final JsonMapper MAPPER = EventLoopJson.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private ProtocolJson() {
    }

    static JsonMapper mapper() {
        return MAPPER;
    }

    public static byte[] toBytes(Object value) {
        return MAPPER.writeValueAsBytes(value);
    }

    public static <T> T fromBytes(byte[] json, Class<T> type) {
        return MAPPER.readValue(json, type);
    }

    /** Encodes a record for a header value: base64url of its JSON, no padding. */
    public static String toHeader(Object value) {
        return toHeader(toBytes(value));
    }

    /** Encodes JSON for a header value: base64url, no padding. */
    public static String toHeader(byte[] json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json);
    }

    /**
     * Decodes a header written by {@link #toHeader}.
     *
     * @throws IllegalArgumentException when the value is not base64url JSON of the type
     */
    public static <T> T fromHeader(String value, Class<T> type) {
        return fromHeader(value, type, json -> fromBytes(json, type));
    }

    /** {@link #fromHeader(String, Class)} with the JSON read by {@code reader}. */
    public static <T> T fromHeader(String value, Class<T> type, java.util.function.Function<byte[], T> reader) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("header value is missing");
        }
        try {
            return reader.apply(Base64.getUrlDecoder().decode(value));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("header value is not base64url JSON of " + type.getSimpleName()
                    + ": " + e.getMessage(), e);
        }
    }

    public static String toJsonString(Object value) {
        return new String(toBytes(value), StandardCharsets.UTF_8);
    }
}
