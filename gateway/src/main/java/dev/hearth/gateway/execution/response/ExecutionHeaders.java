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

    /** Upstream's {@code version_compare($format, '0.11.0', '<')}, missing components read as 0. */
    static boolean collapsesArrays(String responseFormat) {
        String format = responseFormat == null || responseFormat.isBlank() ? DEFAULT_RESPONSE_FORMAT : responseFormat;
        return compareVersions(format.trim(), ARRAY_HEADERS_FORMAT) < 0;
    }

    static int compareVersions(String left, String right) {
        String[] a = left.split("\\.");
        String[] b = right.split("\\.");
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            int cmp = Long.compare(component(a, i), component(b, i));
            if (cmp != 0) {
                return cmp;
            }
        }
        return 0;
    }

    private static long component(String[] parts, int index) {
        if (index >= parts.length) {
            return 0;
        }
        String digits = parts[index].replaceAll("\\D.*$", "");
        return digits.isEmpty() || digits.length() > 18 ? 0 : Long.parseLong(digits);
    }
}
