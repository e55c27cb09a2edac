package dev.hearth.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.hearth.pool.PoolObserver;
import dev.hearth.pool.runtime.RuntimeObserver;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** The meters as Prometheus exports them: names, tags, buckets, and events counted where they belong. */
class HearthMetricsTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final PoolMeters pools = new PoolMeters(registry, List.of("a", "b"));
    private final RuntimeMeters runtimes = new RuntimeMeters(registry, List.of("a", "b"));
    private final ExecutionMeters executions = new ExecutionMeters(registry, List.of("a", "b"));

    private PrometheusText scrape() {
        return PrometheusText.parse(registry.scrape());
    }

    @Test
    void everyDocumentedSeriesButThePoolGaugesIsExportedFromTheStart() {
        Set<String> expected = new TreeSet<>(HearthMetrics.prometheusSeries());
        expected.removeIf(series -> series.startsWith("hearth_pool_") && !series.startsWith("hearth_pool_acquire"));
        PrometheusText scrape = scrape();

        assertThat(expected).as("documented series").isNotEmpty()
                .allMatch(scrape::has, "exported before any event");
        assertThat(scrape.samples("hearth_pool_acquire_seconds_count", Map.of("image", "b", "outcome", "store_unavailable")))
                .as("no outcome beyond the documented set").isEmpty();
        assertThat(scrape.sum("hearth_execution_seconds_count", Map.of())).as("all at zero").isZero();
    }

    @Test
    void seriesCarryOnlyTheirDocumentedTags() {
        PrometheusText scrape = scrape();
        for (HearthMetrics.Metric metric : HearthMetrics.ALL) {
            for (String series : metric.prometheusSeries()) {
                scrape.samples(series, Map.of()).forEach(sample -> {
                    Set<String> keys = new TreeSet<>(sample.labels().keySet());
                    keys.remove("le");
                    assertThat(keys).as(series + " tags").containsExactlyInAnyOrderElementsOf(metric.tags());
                });
            }
        }
    }

    @Test
    void histogramsHaveTheirSloBoundsAndABoundedNumberOfBuckets() {
        PrometheusText scrape = scrape();
        List<PrometheusText.Sample> acquire = scrape.samples("hearth_pool_acquire_seconds_bucket",
                Map.of("image", "a", "outcome", "warm"));
        List<PrometheusText.Sample> overhead = scrape.samples("hearth_execution_overhead_seconds_bucket",
                Map.of("image", "a"));

        assertThat(acquire).as("acquire buckets: the SLO bounds and +Inf").hasSize(15)
                .anyMatch(sample -> sample.labels().get("le").equals("0.005"))
                .anyMatch(sample -> sample.labels().get("le").equals("30.0"));
        assertThat(overhead).as("overhead buckets").hasSizeLessThan(70)
                .anyMatch(sample -> sample.labels().get("le").equals("0.001"))
                .anyMatch(sample -> sample.labels().get("le").equals("0.002"));
        assertThat(scrape.has("hearth_execution_seconds_bucket")).as("execution time: no histogram").isFalse();
    }

    @Test
    void observedEventsLandInTheirSeries() {
        pools.acquired("a", PoolObserver.Acquisition.EXHAUSTED, 1_000);
        pools.acquired("a", PoolObserver.Acquisition.WARM, TimeUnit.MILLISECONDS.toNanos(3));
        pools.podStarted("b", PoolObserver.PodStart.READY, TimeUnit.MILLISECONDS.toNanos(40));
        pools.podsReaped(PoolObserver.Reap.ORPHAN, 3);
        runtimes.leaseClaimed("a", RuntimeObserver.Claim.STORE_UNAVAILABLE, 1_000);
        runtimes.specialized("b", RuntimeObserver.Specialize.FUNCTION_ERROR, 1_000);
        runtimes.leasesRenewed(RuntimeObserver.Renewal.RENEWED, 5);
        runtimes.released("a", RuntimeObserver.Release.LEASE_EXPIRED);
        PrometheusText scrape = scrape();

        assertThat(scrape.sum("hearth_pool_acquire_seconds_count", Map.of("image", "a", "outcome", "exhausted")))
                .as("exhausted").isEqualTo(1);
        assertThat(scrape.sum("hearth_pool_acquire_seconds_bucket", Map.of("image", "a", "outcome", "warm", "le", "0.005")))
                .as("a 3 ms warm claim within the 5 ms bucket").isEqualTo(1);
        assertThat(scrape.sum("hearth_pod_start_seconds_sum", Map.of("image", "b", "outcome", "ready")))
                .as("seconds").isEqualTo(0.04);
        assertThat(scrape.sum("hearth_pods_reaped_total", Map.of("reason", "orphan"))).as("orphans").isEqualTo(3);
        assertThat(scrape.sum("hearth_lease_claim_seconds_count", Map.of("outcome", "store_unavailable")))
                .as("claim").isEqualTo(1);
        assertThat(scrape.sum("hearth_runtime_specialize_seconds_count", Map.of("image", "b", "outcome", "function_error")))
                .as("specialize").isEqualTo(1);
        assertThat(scrape.sum("hearth_lease_renewals_total", Map.of("outcome", "renewed"))).as("renewals").isEqualTo(5);
        assertThat(scrape.sum("hearth_runtimes_released_total", Map.of("image", "a", "reason", "lease_expired")))
                .as("released").isEqualTo(1);
    }
}
