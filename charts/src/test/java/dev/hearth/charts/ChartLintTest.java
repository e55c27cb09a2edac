package dev.hearth.charts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.marcnuri.helm.LintResult;

class ChartLintTest {

    @Test
    void chartPassesStrictLint() {
        LintResult result = HelmChart.lintStrict();

        assertThat(result.isFailed()).as("helm lint --strict failed: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).as("lint messages")
                .noneMatch(message -> message.contains("[WARNING]") || message.contains("[ERROR]"));
    }

    @Test
    void chartRendersWithDefaultValues() {
        assertThat(HelmChart.render().names()).as("objects rendered with the default values").isNotEmpty();
    }
}
