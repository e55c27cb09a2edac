package dev.hearth.gateway.execution.response;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A function's response headers shaped as the executor reports them (§1.5 step 10, §1.6): names
 * lower-cased, values trimmed, {@code x-open-runtimes-*} removed, repeated names merged into one
 * list in order. For callers that ask for a response format older than 0.11.0 (the default,
 * 0.10.0) every list collapses to its last value, as upstream does. Immutable.
 */
public final class ExecutionHeaders {

    /** The request header naming the response format the caller understands. */
    public static final String RESPONSE_FORMAT_HEADER = "x-executor-response-format";
    public static final String DEFAULT_RESPONSE_FORMAT = "0.10.0";
    /** The first format that keeps repeated headers as arrays. */
    static final String ARRAY_HEADERS_FORMAT = "0.11.0";
    /** The runtime's protocol headers: internal to executor and runtime, never shown to callers. */
    static final String RUNTIME_HEADER_PREFIX = "x-open-runtimes-";

    private final Map<String, List<String>> values;

    private ExecutionHeaders(Map<String, List<String>> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /**
     * @param raw            the function's headers as received
     * @param responseFormat the request's {@value #RESPONSE_FORMAT_HEADER}, or null for the default
     */
    public static ExecutionHeaders shape(Map<String, List<String>> raw, String responseFormat) {
        Map<String, List<String>> shaped = new LinkedHashMap<>();
        raw.forEach((name, values) -> {
            String key = name.trim().toLowerCase(Locale.ROOT);
            if (!key.startsWith(RUNTIME_HEADER_PREFIX)) {
                List<String> merged = shaped.computeIfAbsent(key, k -> new ArrayList<>());
                values.forEach(value -> merged.add(value == null ? "" : value.trim()));
            }
        });
        boolean collapse = collapsesArrays(responseFormat);
        shaped.replaceAll((name, values) -> collapse && values.size() > 1
                ? List.of(values.get(values.size() - 1))
                : List.copyOf(values));
        return new ExecutionHeaders(shaped);
    }

    /** Name to values, each list non-empty unless the function sent a header without a value. */
    public Map<String, List<String>> values() {
        return values;
    }

    /** The JSON form: a string for a single value, an array for repeats. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        values.forEach((name, list) -> json.put(name, list.size() == 1 ? list.get(0) : list));
        return json;
    }

    /**
     * Upstream's {@code version_compare($format, '0.11.0', '<')}, missing components read as 0. Runs once per
     * execution: the common cases (no header, or one of the two formats) are answered without parsing.
     */
    static boolean collapsesArrays(String responseFormat) {
        if (responseFormat == null || DEFAULT_RESPONSE_FORMAT.equals(responseFormat)) {
            return true;
        }
        if (ARRAY_HEADERS_FORMAT.equals(responseFormat)) {
            return false;
        }
        String format = responseFormat.isBlank() ? DEFAULT_RESPONSE_FORMAT : responseFormat.trim();
        return compareVersions(format, ARRAY_HEADERS_FORMAT) < 0;
    }

    static int compareVersions(String left, String right) {
        int i = 0;
        int j = 0;
        while (i < left.length() || j < right.length()) {
            int cmp = Long.compare(component(left, i), component(right, j));
            if (cmp != 0) {
                return cmp;
            }
            i = next(left, i);
            j = next(right, j);
        }
        return 0;
    }

    /** The leading digits of the component starting at {@code from} (up to the next '.'), 0 when none or too long. */
    private static long component(String version, int from) {
        long value = 0;
        int digits = 0;
        for (int k = from; k < version.length() && isAsciiDigit(version.charAt(k)); k++) {
            if (++digits > 18) {
                return 0;
            }
            value = value * 10 + (version.charAt(k) - '0');
        }
        return value;
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Where the component after the one starting at {@code from} starts; the length when there is none. */
    private static int next(String version, int from) {
        int dot = version.indexOf('.', from);
        return dot < 0 ? version.length() : dot + 1;
    }
}
