package dev.hearth.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import dev.hearth.gateway.metrics.HearthMetrics;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** ServiceMonitor, PrometheusRule and the Grafana dashboard, and that they query only what the gateway exports. */
class MonitoringTest {

    private static final Map<String, Object> MONITORING_ON = Map.of("monitoring", Map.of(
            "serviceMonitor", Map.of("enabled", true, "labels", Map.of("release", "kube-prometheus-stack")),
            "prometheusRule", Map.of("enabled", true, "labels", Map.of("release", "kube-prometheus-stack"))));

    @Test
    void prometheusObjectsAreOptional() {
        Manifests manifests = HelmChart.render();

        assertThat(manifests.ofKind("ServiceMonitor")).as("ServiceMonitor by default").isEmpty();
        assertThat(manifests.ofKind("PrometheusRule")).as("PrometheusRule by default").isEmpty();
    }

    @Test
    void serviceMonitorScrapesTheManagementServiceOnly() {
        Manifests manifests = HelmChart.render(MONITORING_ON);
        Map<String, Object> monitor = manifests.only("ServiceMonitor");
        Map<String, Object> service = manifests.get("Service", "hearth-management");
        Map<String, Object> selector = Yamls.map(monitor, "spec.selector.matchLabels");

        assertThat(Yamls.string(monitor, "apiVersion")).as("apiVersion").isEqualTo("monitoring.coreos.com/v1");
        assertThat(Yamls.map(monitor, "metadata.labels")).as("labels Prometheus selects by")
                .containsEntry("release", "kube-prometheus-stack");
        assertThat(Yamls.map(service, "metadata.labels")).as("the management Service carries the monitor's selector")
                .containsAllEntriesOf(selector);
        assertThat(Yamls.map(manifests.get("Service", "hearth"), "metadata.labels"))
                .as("the API Service does not carry it").doesNotContainEntry("app.kubernetes.io/component",
                        selector.get("app.kubernetes.io/component"));
        assertThat(Yamls.map(service, "metadata.labels").get(Yamls.string(monitor, "spec.jobLabel")))
                .as("job label of the scraped series: the fullname the alert rules select").isEqualTo("hearth");
        assertThat(Yamls.list(monitor, "spec.namespaceSelector.matchNames")).as("namespace")
                .containsExactly(HelmChart.NAMESPACE);
        Map<String, Object> endpoint = Yamls.map(monitor, "spec.endpoints[0]");
        assertThat(endpoint.get("path")).as("path").isEqualTo("/actuator/prometheus");
        assertThat(Yamls.list(service, "spec.ports")).as("the endpoint's port is a Service port")
                .anyMatch(port -> endpoint.get("port").equals(Yamls.string(port, "name")));
    }

    @Test
    void alertRulesCoverTheFailuresOperatorsMustHear() {
        Map<String, Object> rule = HelmChart.render(MONITORING_ON).only("PrometheusRule");

        assertThat(Yamls.map(rule, "metadata.labels")).as("labels").containsEntry("release", "kube-prometheus-stack");
        assertThat(alerts(rule)).as("alert names").extracting(alert -> alert.get("alert"))
                .containsExactlyInAnyOrder("HearthGatewayDown", "HearthPoolDegraded", "HearthWarmPodsBelowTarget",
                        "HearthAcquisitionsFailing", "HearthLeaseRenewalsFailing", "HearthHighErrorRate");
        for (Map<String, Object> alert : alerts(rule)) {
            assertThat(Yamls.string(alert, "labels.severity")).as("severity of %s", alert.get("alert"))
                    .isIn("warning", "critical");
            assertThat(Yamls.string(alert, "annotations.summary")).as("summary of %s", alert.get("alert")).isNotBlank();
            assertThat(Yamls.string(alert, "for")).as("for of %s", alert.get("alert")).matches("\\d+[smh]");
            assertThat(Yamls.string(alert, "expr")).as("expr of %s selects this release", alert.get("alert"))
                    .contains("job=\"hearth\"").contains("namespace=\"" + HelmChart.NAMESPACE + "\"");
        }
        assertThat(alert(rule, "HearthWarmPodsBelowTarget").get("for")).as("warm below target for").isEqualTo("10m");
    }

    @Test
    void alertRulesQueryOnlyWhatTheGatewayExports() {
        Set<String> queried = new TreeSet<>();
        for (Map<String, Object> alert : alerts(HelmChart.render(MONITORING_ON).only("PrometheusRule"))) {
            Set<String> names = PromQl.metricNames(Yamls.string(alert, "expr"));
            assertThat(names).as("metrics of %s", alert.get("alert")).isNotEmpty();
            queried.addAll(names);
        }

        assertThat(ExportedMetrics.queryable()).as("exported metrics").containsAll(queried);
        assertThat(queried).as("Hearth's own gauges are alerted on")
                .contains("hearth_pool_degraded", "hearth_pool_pods", "hearth_pool_target");
    }

    @Test
    void dashboardShipsAsASidecarConfigMapIdenticalToTheFileInTheChart() throws IOException {
        Map<String, Object> configMap = HelmChart.render().get("ConfigMap", "hearth-dashboard");
        String file = Files.readString(HelmChart.directory().resolve("dashboards/hearth.json"));

        assertThat(Yamls.map(configMap, "metadata.labels")).as("sidecar label").containsEntry("grafana_dashboard", "1");
        assertThat(Yamls.map(configMap, "data").get("hearth.json").toString().strip()).as("dashboard JSON")
                .isEqualTo(file.strip());
    }

    @Test
    void dashboardCanBeTurnedOffOrPlacedInGrafanasNamespace() {
        assertThat(HelmChart.render(Map.of("monitoring", Map.of("dashboard", Map.of("enabled", false))))
                .has("ConfigMap", "hearth-dashboard")).as("dashboard turned off").isFalse();
        Map<String, Object> configMap = HelmChart.render(Map.of("monitoring", Map.of("dashboard",
                Map.of("namespace", "monitoring", "annotations", Map.of("grafana_folder", "Hearth")))))
                .get("ConfigMap", "hearth-dashboard");
        assertThat(Yamls.string(configMap, "metadata.namespace")).as("namespace").isEqualTo("monitoring");
        assertThat(Yamls.map(configMap, "metadata.annotations")).as("folder annotation")
                .containsEntry("grafana_folder", "Hearth");
    }

    @Test
    void dashboardQueriesOnlyWhatTheGatewayExports() throws IOException {
        JsonNode dashboard = dashboard();
        List<String> queries = queries(dashboard);
        Set<String> queried = new TreeSet<>();
        queries.forEach(query -> queried.addAll(PromQl.metricNames(query)));

        assertThat(queries).as("queries found in the dashboard").hasSizeGreaterThan(10);
        assertThat(ExportedMetrics.queryable()).as("exported metrics").containsAll(queried);
        for (HearthMetrics.Metric metric : HearthMetrics.ALL) {
            assertThat(queried).as("%s on the dashboard", metric.name()).containsAnyElementsOf(metric.prometheusSeries());
        }
    }

    @Test
    void dashboardIsWellFormedForGrafana() throws IOException {
        JsonNode dashboard = dashboard();
        Set<Integer> ids = new HashSet<>();

        assertThat(dashboard.path("uid").asString()).as("uid").isEqualTo("hearth-gateway");
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(ids.add(panel.path("id").asInt())).as("panel id %s unique", panel.path("id")).isTrue();
            assertThat(panel.path("gridPos").path("w").asInt()).as("width of %s", panel.path("title")).isBetween(1, 24);
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("datasource").path("uid").asString()).as("datasource of %s", panel.path("title"))
                        .isEqualTo("${datasource}");
            }
        }
        List<String> variables = new ArrayList<>();
        dashboard.path("templating").path("list").forEach(variable -> variables.add(variable.path("name").asString()));
        assertThat(variables).as("variables").containsExactly("datasource", "namespace", "job", "image");
    }

    private static JsonNode dashboard() throws IOException {
        return JsonMapper.builder().build().readTree(Files.readString(HelmChart.directory().resolve("dashboards/hearth.json")));
    }

    /** Every PromQL the dashboard runs: panel targets and variable queries. */
    static List<String> queries(JsonNode dashboard) {
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            panel.path("targets").forEach(target -> queries.add(target.path("expr").asString()));
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if ("query".equals(variable.path("type").asString())) {
                queries.add(variable.path("query").path("query").asString());
            }
        }
        return queries;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> alerts(Map<String, Object> rule) {
        List<Map<String, Object>> alerts = new ArrayList<>();
        for (Object group : Yamls.list(rule, "spec.groups")) {
            Yamls.list(group, "rules").forEach(alert -> alerts.add((Map<String, Object>) alert));
        }
        return alerts;
    }

    private static Map<String, Object> alert(Map<String, Object> rule, String name) {
        return alerts(rule).stream().filter(alert -> name.equals(alert.get("alert"))).findFirst().orElseThrow();
    }
}
