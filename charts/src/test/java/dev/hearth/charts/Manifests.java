package dev.hearth.charts;

import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/** The objects one {@code helm template} rendered, looked up by kind and name. */
record Manifests(List<Map<String, Object>> all) {

    List<Map<String, Object>> ofKind(String kind) {
        return all.stream().filter(manifest -> kind.equals(manifest.get("kind"))).toList();
    }

    Map<String, Object> get(String kind, String name) {
        return all.stream()
                .filter(manifest -> kind.equals(manifest.get("kind")) && name.equals(Yamls.string(manifest, "metadata.name")))
                .findFirst()
                .orElseThrow(() -> new NoSuchElementException("no " + kind + " " + name + " among " + names()));
    }

    boolean has(String kind, String name) {
        return all.stream().anyMatch(manifest ->
                kind.equals(manifest.get("kind")) && name.equals(Yamls.string(manifest, "metadata.name")));
    }

    /** The single object of {@code kind}. */
    Map<String, Object> only(String kind) {
        List<Map<String, Object>> found = ofKind(kind);
        if (found.size() != 1) {
            throw new IllegalStateException("expected one " + kind + ", found " + found.size() + " among " + names());
        }
        return found.get(0);
    }

    List<String> names() {
        return all.stream().map(manifest -> manifest.get("kind") + "/" + Yamls.string(manifest, "metadata.name")).toList();
    }
}
