package dev.hearth.charts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlTest {

    @Test
    void findsMetricsButNotFunctionsLabelsOrVariables() {
        assertThat(PromQl.metricNames("histogram_quantile(0.99, sum by (le, uri) (rate("
                + "http_server_requests_seconds_bucket{namespace=\"$namespace\",uri!~\"/actuator.*\"}[$__rate_interval])))"))
                .as("metrics of a quantile").containsExactly("http_server_requests_seconds_bucket");
    }

    @Test
    void findsBothSidesOfABinaryExpression() {
        assertThat(PromQl.metricNames("max by (image) (hearth_pool_pods{state=\"warm\"}) < on (image) "
                + "max by (image) (hearth_pool_target) or absent(up{job=\"x\"})"))
                .as("metrics of a comparison").containsExactly("hearth_pool_pods", "hearth_pool_target", "up");
    }

    @Test
    void readsTheMetricOfAGrafanaLabelValuesQuery() {
        assertThat(PromQl.metricNames("label_values(hearth_pool_target{namespace=\"$namespace\",job=\"$job\"}, image)"))
                .as("metric of label_values").containsExactly("hearth_pool_target");
    }
}
