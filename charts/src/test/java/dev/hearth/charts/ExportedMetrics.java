package dev.hearth.charts;

import java.util.Set;
import java.util.TreeSet;

import dev.hearth.gateway.metrics.HearthMetrics;

/**
 * Prometheus series the gateway exports at /actuator/prometheus, which the dashboard and the alert rules may query.
 * Hearth's own come from the gateway's list of them ({@link HearthMetrics#ALL}); the Spring Boot,
 * Micrometer and JVM ones are listed here, and {@code ChartGatewayIT} checks every name the chart queries against
 * a scrape of the gateway started with the chart's configuration.
 */
final class ExportedMetrics {

    /**
     * Exported by Spring Boot, Micrometer and Resilience4j with the chart's configuration (http.server.requests as a
     * histogram).
     */
    private static final Set<String> PLATFORM = Set.of(
            "http_server_requests_seconds_count", "http_server_requests_seconds_sum",
            "http_server_requests_seconds_bucket", "http_server_requests_seconds_max",
            "jvm_memory_used_bytes", "jvm_memory_max_bytes", "jvm_memory_committed_bytes",
            "jvm_buffer_memory_used_bytes", "jvm_gc_pause_seconds_sum", "jvm_gc_pause_seconds_count",
            "jvm_gc_overhead", "jvm_threads_live_threads", "process_cpu_usage", "process_uptime_seconds",
            // The Kubernetes pools' pod-creation breakers (the gateway's DriverConfiguration.poolBreakerMetrics),
            // tagged name="pool:<image>"; exported once a pool has created its first pod.
            "resilience4j_circuitbreaker_state");

    /** Written by Prometheus itself for every scrape target. */
    static final Set<String> SYNTHETIC = Set.of("up");

    private ExportedMetrics() {
    }

    /** Hearth's own series, as the Prometheus registry names them (from HearthMetrics: names, kinds, suffixes). */
    static Set<String> hearth() {
        return HearthMetrics.prometheusSeries();
    }

    static Set<String> platform() {
        return PLATFORM;
    }

    /** Everything a query of the chart may read. */
    static Set<String> queryable() {
        Set<String> names = new TreeSet<>(hearth());
        names.addAll(PLATFORM);
        names.addAll(SYNTHETIC);
        return names;
    }
}
