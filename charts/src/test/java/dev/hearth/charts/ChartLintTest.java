package dev.hearth.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.marcnuri.helm.LintResult;

class ChartLintTest {

    private static final String SHARED = "runtimeNamespace: \"\"\n";

    @Test
    void chartPassesStrictLintWithASeparateRuntimeNamespace(@TempDir Path scratch) throws IOException {
        // helm-java's lint takes no values, and helm lint reports a template's fail() only as an INFO log line and
        // checks nothing after it: with the defaults (runtime namespace = release namespace) it would check no
        // manifest. So lint a copy whose values.yaml names a runtime namespace, as an install does.
        Path chart = copy(HelmChart.directory(), scratch.resolve("hearth"));
        String values = Files.readString(chart.resolve("values.yaml"));
        assertThat(values).as("values.yaml sets runtimeNamespace empty").contains(SHARED);
        Files.writeString(chart.resolve("values.yaml"),
                values.replace(SHARED, "runtimeNamespace: " + HelmChart.RUNTIME_NAMESPACE + "\n"));

        LintResult result = HelmChart.lintStrict(chart);

        assertThat(result.isFailed()).as("helm lint --strict failed: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).as("lint messages")
                .noneMatch(message -> message.contains("[WARNING]") || message.contains("[ERROR]"));
    }

    @Test
    void chartRendersWithDefaultValuesAndASeparateRuntimeNamespace() {
        assertThat(HelmChart.render().names()).as("objects rendered with the default values").isNotEmpty();
    }

    private static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        return to;
    }
}
