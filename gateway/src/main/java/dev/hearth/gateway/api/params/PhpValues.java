package dev.hearth.gateway.api.params;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/** PHP's value-to-string conversions where the executor applies them to decoded params. Stateless. */
final class PhpValues {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private PhpValues() {
    }

    /**
     * PHP {@code strval}: booleans are "1" and "", null is "", integral floats drop ".0". Arrays
     * become their JSON rather than PHP's useless "Array", so nothing the caller sent is lost.
     */
    static String strval(Object value) {
        if (value == null || Boolean.FALSE.equals(value)) {
            return "";
        }
        if (Boolean.TRUE.equals(value)) {
            return "1";
        }
        if (value instanceof Double || value instanceof Float) {
            return floatString(((Number) value).doubleValue());
        }
        if (value instanceof String || value instanceof Number) {
            return value.toString();
        }
        if (value instanceof Map<?, ?> || value instanceof List<?>) {
            return JSON.writeValueAsString(value);
        }
        return String.valueOf(value);
    }

    /** Every value {@link #strval}'d, in the map's order. Unmodifiable. */
    static Map<String, String> strvalMap(Map<String, Object> values) {
        Map<String, String> strings = new LinkedHashMap<>();
        values.forEach((key, value) -> strings.put(key, strval(value)));
        return Collections.unmodifiableMap(strings);
    }

    private static String floatString(double value) {
        if (!Double.isFinite(value)) {
            return Double.isNaN(value) ? "NAN" : value > 0 ? "INF" : "-INF";
        }
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
