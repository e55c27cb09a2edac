package dev.hearth.gateway.api.params;

import dev.hearth.gateway.api.error.ExecutorException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import tools.jackson.databind.json.JsonMapper;

/**
 * utopia-php/framework validators (UV 0.3.1) over decoded param values, with their descriptions as
 * the error text. Each method validates a present (non-null) value and converts it. Stateless.
 */
final class Validators {

    static final int ASSOC_MAX_JSON_BYTES = 65_535;

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** PHP 8 {@code is_numeric} for integers: optional surrounding whitespace, optional sign. */
    private static final Pattern LOOSE_INTEGER = Pattern.compile("\\s*[+-]?\\d+\\s*");
    private static final Pattern LOOSE_FLOAT =
            Pattern.compile("\\s*[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?\\s*");

    private Validators() {
    }

    static String text(String name, Object value, int maxLen, int minLen) {
        if (value instanceof String s) {
            int length = s.codePointCount(0, s.length());
            if (length >= minLen && (maxLen == 0 || length <= maxLen)) {
                return s;
            }
        }
        throw invalid(name, textDescription(maxLen, minLen));
    }

    static String textDescription(int maxLen, int minLen) {
        StringBuilder description = new StringBuilder("Value must be a valid string");
        if (minLen > 0) {
            description.append(" and at least ").append(minLen).append(" chars");
        }
        if (maxLen > 0) {
            description.append(" and no longer than ").append(maxLen).append(" chars");
        }
        return description.toString();
    }

    static int integer(String name, Object value, boolean loose) {
        BigInteger number = null;
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            number = BigInteger.valueOf(((Number) value).longValue());
        } else if (value instanceof BigInteger big) {
            number = big;
        } else if (loose && value instanceof String s && LOOSE_INTEGER.matcher(s).matches()) {
            number = new BigInteger(s.strip());
        }
        if (number != null && number.bitLength() < 32) {
            return number.intValue();
        }
        throw invalid(name, "Value must be a valid integer");
    }

    static double decimal(String name, Object value) {
        if (value instanceof Number number && !(value instanceof BigDecimal)) {
            return number.doubleValue();
        }
        if (value instanceof BigDecimal big) {
            return big.doubleValue();
        }
        if (value instanceof String s && LOOSE_FLOAT.matcher(s).matches()) {
            double parsed = Double.parseDouble(s.strip());
            if (Double.isFinite(parsed)) {
                return parsed;
            }
        }
        throw invalid(name, "Value must be a valid float");
    }

    static boolean bool(String name, Object value, boolean loose) {
        if (value instanceof Boolean b) {
            return b;
        }
        if (loose) {
            if ("true".equals(value) || "1".equals(value) || Integer.valueOf(1).equals(value)) {
                return true;
            }
            if ("false".equals(value) || "0".equals(value) || Integer.valueOf(0).equals(value)) {
                return false;
            }
        }
        throw invalid(name, "Value must be a valid boolean");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> assoc(String name, Object value) {
        Object decoded = value;
        if (value instanceof String s) {
            if (Params.isEmptyText(s)) {
                return new LinkedHashMap<>();
            }
            decoded = decodeOrNull(s);
        }
        if (decoded instanceof List<?> list && list.isEmpty()) {
            return new LinkedHashMap<>(); // PHP's empty array is both [] and {}
        }
        if (decoded instanceof Map<?, ?> map && !isPhpList(map)
                && JSON.writeValueAsBytes(map).length <= ASSOC_MAX_JSON_BYTES) {
            return new LinkedHashMap<>((Map<String, Object>) map);
        }
        throw invalid(name, "Value must be a valid object.");
    }

    static String whitelist(String name, Object value, List<String> allowed, boolean strict) {
        if (value instanceof String s) {
            for (String candidate : allowed) {
                if (strict ? candidate.equals(s) : candidate.toLowerCase(Locale.ROOT).equals(s.toLowerCase(Locale.ROOT))) {
                    return candidate;
                }
            }
        }
        throw invalid(name, "Value must be one of (" + String.join(", ", allowed) + ")");
    }

    /**
     * Hearth's own check on top of upstream's number validators: a resource amount below zero is refused here,
     * with a 400, rather than reaching a pod's limits (upstream passes it on to Docker, which fails with a 500).
     */
    static <T extends Number> T nonNegative(String name, T value) {
        if (value.doubleValue() < 0) {
            throw invalid(name, "Value must be a number greater than or equal to 0");
        }
        return value;
    }

    static ExecutorException invalid(String name, String description) {
        return ExecutorException.badRequest("Invalid `" + name + "` param: " + description);
    }

    /** A PHP array whose keys are exactly 0..n-1 in order: a list, which Assoc rejects. */
    private static boolean isPhpList(Map<?, ?> map) {
        if (map.isEmpty()) {
            return false;
        }
        int expected = 0;
        for (Object key : map.keySet()) {
            if (!String.valueOf(expected++).equals(String.valueOf(key))) {
                return false;
            }
        }
        return true;
    }

    private static Object decodeOrNull(String json) {
        try {
            return JSON.readValue(json.getBytes(StandardCharsets.UTF_8), Object.class);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
