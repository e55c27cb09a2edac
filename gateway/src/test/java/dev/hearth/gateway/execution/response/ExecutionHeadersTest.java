package dev.hearth.gateway.execution.response;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExecutionHeadersTest {

    private static Map<String, List<String>> raw() {
        Map<String, List<String>> raw = new LinkedHashMap<>();
        raw.put("Content-Type", List.of(" text/plain "));
        raw.put("Set-Cookie", List.of("a=1", "b=2"));
        raw.put("set-cookie", List.of("c=3"));
        raw.put("X-Open-Runtimes-Log-Id", List.of("abc"));
        raw.put("x-open-runtimes-timings", List.of("1"));
        return raw;
    }

    @Test
    void namesLowercasedValuesTrimmedRuntimeHeadersDropped() {
        ExecutionHeaders headers = ExecutionHeaders.shape(raw(), "0.11.0");

        assertThat(headers.values()).as("shaped").containsExactly(
                Map.entry("content-type", List.of("text/plain")),
                Map.entry("set-cookie", List.of("a=1", "b=2", "c=3")));
    }

    @Test
    void jsonFormUsesStringForSingleAndArrayForRepeats() {
        Map<String, Object> json = ExecutionHeaders.shape(raw(), "0.11.0").toJson();

        assertThat(json.get("content-type")).as("single").isEqualTo("text/plain");
        assertThat(json.get("set-cookie")).as("repeated").isEqualTo(List.of("a=1", "b=2", "c=3"));
    }

    @Test
    void defaultFormatCollapsesToLastValue() {
        ExecutionHeaders headers = ExecutionHeaders.shape(raw(), null);

        assertThat(headers.toJson().get("set-cookie")).as("collapsed").isEqualTo("c=3");
    }

    @Test
    void formatIsComparedAsVersion() {
        assertThat(ExecutionHeaders.collapsesArrays("0.10.0")).as("0.10.0").isTrue();
        assertThat(ExecutionHeaders.collapsesArrays("0.9.9")).as("0.9.9").isTrue();
        assertThat(ExecutionHeaders.collapsesArrays("0.11.0")).as("0.11.0").isFalse();
        assertThat(ExecutionHeaders.collapsesArrays("0.12.0")).as("0.12.0").isFalse();
        assertThat(ExecutionHeaders.collapsesArrays("1.0")).as("1.0").isFalse();
        assertThat(ExecutionHeaders.collapsesArrays("0.100.0")).as("0.100.0 is not 0.10.0").isFalse();
        assertThat(ExecutionHeaders.collapsesArrays(" 0.11 ")).as("trimmed, missing component read as 0").isFalse();
        assertThat(ExecutionHeaders.collapsesArrays("0.11rc1")).as("leading digits of a component").isFalse();
        assertThat(ExecutionHeaders.collapsesArrays("0.x.5")).as("a component without digits reads as 0").isTrue();
        assertThat(ExecutionHeaders.collapsesArrays("0..11")).as("an empty component reads as 0").isTrue();
        assertThat(ExecutionHeaders.collapsesArrays("0.١١")).as("only ASCII digits count").isTrue();
        assertThat(ExecutionHeaders.collapsesArrays("0.1234567890123456789")).as("over 18 digits reads as 0").isTrue();
        assertThat(ExecutionHeaders.collapsesArrays("  ")).as("blank is the default").isTrue();
    }

    @Test
    void versionsCompareComponentByComponent() {
        assertThat(ExecutionHeaders.compareVersions("0.11.0", "0.11")).isZero();
        assertThat(ExecutionHeaders.compareVersions("0.11.0.1", "0.11")).isPositive();
        assertThat(ExecutionHeaders.compareVersions("0.9", "0.11.0")).isNegative();
        assertThat(ExecutionHeaders.compareVersions("1.", "1.0.0")).isZero();
    }
}
