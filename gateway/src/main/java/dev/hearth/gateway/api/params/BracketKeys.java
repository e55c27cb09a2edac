package dev.hearth.gateway.api.params;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PHP's folding of bracketed form keys into nested arrays, as Swoole does for urlencoded and
 * multipart bodies: {@code variables[KEY]=v} becomes {@code variables: {KEY: v}} and
 * {@code a[]=x&a[]=y} becomes {@code a: {"0": x, "1": y}}. Appends use string keys "0".."n-1" so
 * that {@link Params#assoc} can tell a PHP list from an associative array, as upstream's Assoc does.
 *
 * <p>Later keys win, as in PHP: a scalar is replaced by an array when a bracketed key follows, and
 * vice versa. Not thread-safe; used on one request's map at a time.
 */
final class BracketKeys {

    private BracketKeys() {
    }

    /** Puts {@code value} under {@code key} in {@code root}, folding bracket segments into nested maps. */
    static void put(Map<String, Object> root, String key, Object value) {
        int open = key.indexOf('[');
        List<String> segments = open > 0 ? segments(key, open) : List.of();
        if (segments.isEmpty()) {
            root.put(key, value);
            return;
        }
        Map<String, Object> current = root;
        String name = key.substring(0, open);
        for (String segment : segments) {
            current = childMap(current, name);
            name = segment.isEmpty() ? String.valueOf(nextIndex(current)) : segment;
        }
        current.put(name, value);
    }

    /** The bracket segments from {@code open}; PHP ignores whatever follows the last closed bracket. */
    private static List<String> segments(String key, int open) {
        List<String> segments = new ArrayList<>();
        int pos = open;
        while (pos < key.length() && key.charAt(pos) == '[') {
            int close = key.indexOf(']', pos);
            if (close < 0) {
                break;
            }
            segments.add(key.substring(pos + 1, close));
            pos = close + 1;
        }
        return segments;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> childMap(Map<String, Object> parent, String name) {
        Object child = parent.get(name);
        if (child instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        Map<String, Object> created = new LinkedHashMap<>();
        parent.put(name, created);
        return created;
    }

    /** PHP's next append index: one more than the largest non-negative integer key, else 0. */
    private static int nextIndex(Map<String, Object> map) {
        int next = 0;
        for (String key : map.keySet()) {
            if (!key.isEmpty() && key.length() < 10 && key.chars().allMatch(c -> c >= '0' && c <= '9')) {
                next = Math.max(next, Integer.parseInt(key) + 1);
            }
        }
        return next;
    }
}
