package dev.hearth.charts;

import java.util.List;
import java.util.Map;

/** Paths into parsed YAML ({@code spec.template.spec.containers[0].image}), for readable assertions. */
final class Yamls {

    private Yamls() {
    }

    /** The value at {@code path} (dots between keys, {@code [i]} for list items), or null when absent. */
    static Object at(Object root, String path) {
        Object current = root;
        for (String part : path.split("\\.")) {
            int bracket = part.indexOf('[');
            String key = bracket < 0 ? part : part.substring(0, bracket);
            if (!key.isEmpty()) {
                if (!(current instanceof Map<?, ?> map)) {
                    return null;
                }
                current = map.get(key);
            }
            while (bracket >= 0) {
                int end = part.indexOf(']', bracket);
                int index = Integer.parseInt(part.substring(bracket + 1, end));
                if (!(current instanceof List<?> list) || index >= list.size()) {
                    return null;
                }
                current = list.get(index);
                bracket = part.indexOf('[', end);
            }
        }
        return current;
    }

    static String string(Object root, String path) {
        Object value = at(root, path);
        return value == null ? null : value.toString();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object root, String path) {
        Object value = at(root, path);
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException(path + " is not a map but " + value);
        }
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object root, String path) {
        Object value = at(root, path);
        if (!(value instanceof List)) {
            throw new IllegalArgumentException(path + " is not a list but " + value);
        }
        return (List<Object>) value;
    }
}
