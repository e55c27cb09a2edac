package dev.hearth.gateway.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every metric Hearth exports at {@code /actuator/prometheus}, by its Micrometer name (Prometheus replaces the
 * dots with underscores, adds {@code _seconds} to timers and {@code _total} to counters). Values are this
 * replica's; sum over replicas for the deployment. Timers are in seconds; {@code image} is a configured pool
 * image, every other tag takes one of the values listed (tags never name a runtime or a pod).
 *
 * <table>
 *   <caption>Hearth's metrics</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>meaning</th></tr>
 *   <tr><td>{@code hearth.pool.pods}</td><td>gauge</td><td>image, state=warm|claimed|creating</td>
 *       <td>pods of the pool by state</td></tr>
 *   <tr><td>{@code hearth.pool.pending}</td><td>gauge</td><td>image</td><td>acquisitions waiting for a pod</td></tr>
 *   <tr><td>{@code hearth.pool.target}</td><td>gauge</td><td>image</td><td>warm pods the deployment keeps (size)</td></tr>
 *   <tr><td>{@code hearth.pool.degraded}</td><td>gauge</td><td>image</td>
 *       <td>1 while the pool cannot create pods (Kubernetes breaker open)</td></tr>
 *   <tr><td>{@code hearth.pool.acquire}</td><td>timer, histogram</td>
 *       <td>image, outcome=warm|created|timeout|exhausted|degraded|cancelled|failed</td>
 *       <td>queue wait: from asking the pool for a pod to holding one or giving up; {@code warm} = a warm pod was
 *       there, {@code created} = waited for one to be created</td></tr>
 *   <tr><td>{@code hearth.pod.start}</td><td>timer</td><td>image, outcome=ready|failed</td>
 *       <td>pod creation to warm (runner healthy); {@code failed} = the creation failed, timed out, or was cancelled
 *       (e.g. an on-demand creation its acquisition gave up on at the acquire timeout), each creation attempt
 *       counted once; on Kubernetes, warm pods are timed by the leader from the pod's own timestamps (to the
 *       second)</td></tr>
 *   <tr><td>{@code hearth.pods.reaped}</td><td>counter</td>
 *       <td>reason=surplus|ended|unready|orphan|abandoned</td>
 *       <td>pods deleted by the pool or the leader's reconciler rather than with their runtime; {@code orphan} = its
 *       pool is no longer configured or it was made under another pod-secret key</td></tr>
 *   <tr><td>{@code hearth.lease.claim}</td><td>timer</td>
 *       <td>image, outcome=claimed|taken|store_unavailable|failed</td>
 *       <td>claim: taking the lease on an acquired pod</td></tr>
 *   <tr><td>{@code hearth.runtime.specialize}</td><td>timer</td>
 *       <td>image, outcome=ready|function_error|failed</td>
 *       <td>loading the function into its pod, until the runtime is registered ready</td></tr>
 *   <tr><td>{@code hearth.lease.renewals}</td><td>counter</td><td>outcome=renewed|lost|failed</td>
 *       <td>leases at each renewal: extended, gone from the store (the runtime ends), or the store did not answer
 *       (kept until expiry)</td></tr>
 *   <tr><td>{@code hearth.runtimes.released}</td><td>counter</td>
 *       <td>image, reason=deleted|idle|lease_lost|lease_expired|pod_ended|built|shutdown</td>
 *       <td>runtimes this replica held that ended, and why</td></tr>
 *   <tr><td>{@code hearth.execution}</td><td>timer</td>
 *       <td>image, outcome=success|function_error|timeout|failed|client_gone</td>
 *       <td>the execute phase: from sending the call to the runner to its end frame (or the failure, or the client
 *       leaving); {@code function_error} = the function answered 5xx (an {@code exec} exit code other than 0);
 *       {@code failed} includes a runner stream that ended without an end frame</td></tr>
 *   <tr><td>{@code hearth.execution.overhead}</td><td>timer, histogram</td><td>image</td>
 *       <td>what the gateway adds to an execution that reached its end frame: (end frame − parameters read)
 *       − this request's wait for the runtime − the runner's own {@code durationMs}, floored at 0. The clock starts
 *       once the request's parameters are read, so the client's upload of the body is not included. The wait is
 *       the time from the parameters read until the runtime was ready for this request, when it had to be created
 *       (by this request, or by another request or replica it joined); for a runtime already ready it is 0, so
 *       the registry lookup counts. Included: that lookup, building the call and the response head, the network
 *       and runner time outside its own duration, and relaying the response up to the end frame. With the default
 *       JSON response the body is collected before the end frame is read, so the client's reading is not
 *       included; a streamed {@code multipart/form-data} body is relayed under the client connection's
 *       backpressure, and the end frame is read only after the body has been handed to the connection, so a slow
 *       reader's time after the runner read the function's last byte (where {@code durationMs} stops: the output
 *       still buffered in the sockets and Netty between runner and client drains at the reader's pace) is
 *       included</td></tr>
 * </table>
 *
 * <p>Histograms publish Prometheus buckets ({@code _bucket}, see {@link #ACQUIRE_SLOS} and {@link #OVERHEAD_SLOS});
 * the other timers publish {@code _count}, {@code _sum} and {@code _max} only. Every series of a closed tag
 * set is registered at start at zero for each configured image, so rates and alerts see the first event.
 */
public final class HearthMetrics {

    public static final String POOL_PODS = "hearth.pool.pods";
    public static final String POOL_PENDING = "hearth.pool.pending";
    public static final String POOL_TARGET = "hearth.pool.target";
    public static final String POOL_DEGRADED = "hearth.pool.degraded";
    public static final String POOL_ACQUIRE = "hearth.pool.acquire";
    public static final String POD_START = "hearth.pod.start";
    public static final String PODS_REAPED = "hearth.pods.reaped";
    public static final String LEASE_CLAIM = "hearth.lease.claim";
    public static final String RUNTIME_SPECIALIZE = "hearth.runtime.specialize";
    public static final String LEASE_RENEWALS = "hearth.lease.renewals";
    public static final String RUNTIMES_RELEASED = "hearth.runtimes.released";
    public static final String EXECUTION = "hearth.execution";
    public static final String EXECUTION_OVERHEAD = "hearth.execution.overhead";

    public static final String TAG_IMAGE = "image";
    public static final String TAG_STATE = "state";
    public static final String TAG_OUTCOME = "outcome";
    public static final String TAG_REASON = "reason";

    /**
     * Buckets of {@link #POOL_ACQUIRE}: a warm claim takes well under 5 ms, a created pod seconds, and waits end at
     * the acquire timeout. SLO bounds only, not Micrometer's percentile histogram: with seven outcomes per image its
     * ~80 buckets a series would be ~550 series per image, nearly all zero; these 14 answer the same alerts.
     * {@code management.metrics.distribution.percentiles-histogram.hearth.pool.acquire=true} adds them back.
     */
    static final Duration[] ACQUIRE_SLOS = millis(1, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000,
            30_000, 60_000);
    /**
     * Buckets of {@link #EXECUTION_OVERHEAD}, one series per image: the percentile histogram between 250 µs and 1 s
     * (for {@code histogram_quantile}), plus these SLO bounds; the gateway aims at a millisecond or two.
     */
    static final Duration[] OVERHEAD_SLOS = millis(1, 2, 5, 10, 25, 50, 100, 250);
    static final Duration OVERHEAD_MIN = Duration.ofNanos(250_000);
    static final Duration OVERHEAD_MAX = Duration.ofSeconds(1);

    /** How a metric is exported. */
    public enum Kind {
        GAUGE(""),
        COUNTER("_total"),
        TIMER("_seconds_count", "_seconds_sum", "_seconds_max"),
        HISTOGRAM("_seconds_count", "_seconds_sum", "_seconds_max", "_seconds_bucket");

        private final List<String> suffixes;

        Kind(String... suffixes) {
            this.suffixes = List.of(suffixes);
        }
    }

    /** One metric: its Micrometer name, how it is exported, and its tag keys. */
    public record Metric(String name, Kind kind, List<String> tags) {

        /** The series Prometheus shows for it, e.g. {@code hearth_execution_seconds_count}. */
        public Set<String> prometheusSeries() {
            Set<String> series = new TreeSet<>();
            kind.suffixes.forEach(suffix -> series.add(name.replace('.', '_') + suffix));
            return series;
        }
    }

    /** Every metric of the table above; for tests of dashboards and alert rules against the exported names. */
    public static final List<Metric> ALL = List.of(
            new Metric(POOL_PODS, Kind.GAUGE, List.of(TAG_IMAGE, TAG_STATE)),
            new Metric(POOL_PENDING, Kind.GAUGE, List.of(TAG_IMAGE)),
            new Metric(POOL_TARGET, Kind.GAUGE, List.of(TAG_IMAGE)),
            new Metric(POOL_DEGRADED, Kind.GAUGE, List.of(TAG_IMAGE)),
            new Metric(POOL_ACQUIRE, Kind.HISTOGRAM, List.of(TAG_IMAGE, TAG_OUTCOME)),
            new Metric(POD_START, Kind.TIMER, List.of(TAG_IMAGE, TAG_OUTCOME)),
            new Metric(PODS_REAPED, Kind.COUNTER, List.of(TAG_REASON)),
            new Metric(LEASE_CLAIM, Kind.TIMER, List.of(TAG_IMAGE, TAG_OUTCOME)),
            new Metric(RUNTIME_SPECIALIZE, Kind.TIMER, List.of(TAG_IMAGE, TAG_OUTCOME)),
            new Metric(LEASE_RENEWALS, Kind.COUNTER, List.of(TAG_OUTCOME)),
            new Metric(RUNTIMES_RELEASED, Kind.COUNTER, List.of(TAG_IMAGE, TAG_REASON)),
            new Metric(EXECUTION, Kind.TIMER, List.of(TAG_IMAGE, TAG_OUTCOME)),
            new Metric(EXECUTION_OVERHEAD, Kind.HISTOGRAM, List.of(TAG_IMAGE)));

    private HearthMetrics() {
    }

    /** Every Prometheus series name of {@link #ALL}. */
    public static Set<String> prometheusSeries() {
        Set<String> series = new TreeSet<>();
        ALL.forEach(metric -> series.addAll(metric.prometheusSeries()));
        return series;
    }

    private static Duration[] millis(long... values) {
        Duration[] durations = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            durations[i] = Duration.ofMillis(values[i]);
        }
        return durations;
    }
}
