package dev.hearth.charts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;

/**
 * The chart under {@code charts/hearth}, driven through the real Helm library (helm-java): {@code helm lint}
 * and {@code helm template}, the rendered manifests parsed into plain maps and lists.
 */
final class HelmChart {

    static final String RELEASE = "hearth";
    static final String NAMESPACE = "hearth-system";

    private static final Path CHART = Path.of(System.getProperty("basedir", "."), "hearth").toAbsolutePath();

    private HelmChart() {
    }

    static Path directory() {
        return CHART;
    }

    static LintResult lintStrict() {
        return new Helm(CHART).lint().strict().call();
    }

    /** {@code helm template hearth charts/hearth -n hearth-system -f <values>}. */
    static Manifests render(Map<String, ?> values) {
        return new Manifests(parse(template(values)));
    }

    /** The raw output of {@code helm template}; throws with Helm's message when rendering fails. */
    static String template(Map<String, ?> values) {
        LookupApiServer.get();
        Path file = valuesFile(values);
        try {
            return new Helm(CHART).template()
                    .withName(RELEASE)
                    .withNamespace(NAMESPACE)
                    .withValuesFile(file)
                    .call();
        } finally {
            delete(file);
        }
    }

    static Manifests render() {
        return render(Map.of());
    }

    private static List<Map<String, Object>> parse(String output) {
        List<Map<String, Object>> manifests = new ArrayList<>();
        for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(output)) {
            if (document != null) {
                @SuppressWarnings("unchecked")
                Map<String, Object> manifest = (Map<String, Object>) document;
                manifests.add(manifest);
            }
        }
        return manifests;
    }

    private static Path valuesFile(Map<String, ?> values) {
        try {
            Path file = Files.createTempFile("hearth-values", ".yaml");
            Files.writeString(file, new Yaml().dump(Objects.requireNonNull(values)));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a temp file
        }
    }
}
