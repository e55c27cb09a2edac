package dev.hearth.charts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * and {@code helm template}, the rendered manifests parsed into plain maps and lists. {@link #render} installs as
 * one should, with the runtime pods in a namespace of their own ({@link #RUNTIME_NAMESPACE}) unless the values name
 * one; {@link #renderAsGiven} renders exactly the values given.
 */
final class HelmChart {

    static final String RELEASE = "hearth";
    static final String NAMESPACE = "hearth-system";
    /** The runtime namespace {@link #render} uses when the values name none: the chart refuses the release's own. */
    static final String RUNTIME_NAMESPACE = "hearth-runtimes";

    private static final Path CHART = Path.of(System.getProperty("basedir", "."), "hearth").toAbsolutePath();

    private HelmChart() {
    }

    static Path directory() {
        return CHART;
    }

    static LintResult lintStrict() {
        return lintStrict(CHART);
    }

    static LintResult lintStrict(Path chart) {
        return new Helm(chart).lint().strict().call();
    }

    /**
     * {@code helm template hearth charts/hearth -n hearth-system -f <values>}, with
     * {@code runtimeNamespace=hearth-runtimes} unless the values set {@code runtimeNamespace} or
     * {@code allowSharedNamespace}.
     */
    static Manifests render(Map<String, ?> values) {
        return new Manifests(parse(template(values)));
    }

    /** {@code helm template hearth charts/hearth -n hearth-system -f <values>}, nothing added. */
    static Manifests renderAsGiven(Map<String, ?> values) {
        return new Manifests(parse(templateAsGiven(values)));
    }

    /** The raw output of {@link #render}; throws with Helm's message when rendering fails. */
    static String template(Map<String, ?> values) {
        if (values.containsKey("runtimeNamespace") || values.containsKey("allowSharedNamespace")) {
            return templateAsGiven(values);
        }
        Map<String, Object> separate = new LinkedHashMap<>(values);
        separate.put("runtimeNamespace", RUNTIME_NAMESPACE);
        return templateAsGiven(separate);
    }

    /** The raw output of {@link #renderAsGiven}; throws with Helm's message when rendering fails. */
    static String templateAsGiven(Map<String, ?> values) {
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
