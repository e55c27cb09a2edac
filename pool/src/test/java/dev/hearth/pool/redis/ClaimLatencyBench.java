package dev.hearth.pool.redis;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

import dev.hearth.pool.lease.InMemoryLeaseStore;
import dev.hearth.pool.lease.Lease;
import dev.hearth.pool.lease.LeaseStore;

/**
 * Claim and claim+release latency, Redis store vs in-memory store, in one run; prints a Markdown table.
 * Not a test. Sequential on purpose: it measures the latency one acquisition pays, not throughput.
 *
 * <pre>
 * ClaimLatencyBench [redisUrl] [iterations]
 * </pre>
 * Without {@code redisUrl} (or {@code HEARTH_REDIS_URL}) it starts a local {@code redis-server} on a free
 * loopback port, like the integration tests.
 */
public final class ClaimLatencyBench {

    private static final Duration TTL = Duration.ofSeconds(30);
    private static final int PODS = 1_000;

    private ClaimLatencyBench() {
    }

    public static void main(String[] args) throws Exception {
        String url = args.length > 0 ? args[0] : System.getenv("HEARTH_REDIS_URL");
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int warmup = Math.max(1_000, iterations / 4);
        try (RedisServerExtension server = new RedisServerExtension()) {
            if (url == null || url.isBlank()) {
                server.open();
                url = server.url();
            }
            String prefix = "hearth-bench-" + ProcessHandle.current().pid() + ":";
            try (RedisConnections redis = RedisConnections.connect(
                    new RedisConfig(url, RedisConfig.DEFAULT_COMMAND_TIMEOUT, prefix, RedisConfig.DEFAULT_CLAIM_REPLAYS))) {
                System.out.println("| store | claims | claim p50 µs | claim p99 µs | claim+release p50 µs"
                        + " | claim+release p99 µs |");
                System.out.println("|---|---:|---:|---:|---:|---:|");
                print("in-memory", measure(new InMemoryLeaseStore(), warmup, iterations));
                print("redis (Lettuce, loopback)", measure(new RedisLeaseStore(redis), warmup, iterations));
            }
        }
    }

    /** Row 0: claim latencies; row 1: claim+release latencies; both in nanoseconds. */
    private static long[][] measure(LeaseStore store, int warmup, int iterations) {
        run(store, warmup, "warm-");
        return run(store, iterations, "pod-");
    }

    private static long[][] run(LeaseStore store, int iterations, String podPrefix) {
        long[] claims = new long[iterations];
        long[] rounds = new long[iterations];
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            Lease lease = store.claim(podPrefix + (i % PODS), "bench", TTL).block();
            long claimed = System.nanoTime();
            if (lease == null) {
                throw new IllegalStateException("claim " + i + " lost: a previous release did not happen");
            }
            store.release(lease).block();
            claims[i] = claimed - start;
            rounds[i] = System.nanoTime() - start;
        }
        return new long[][] {claims, rounds};
    }

    private static void print(String name, long[][] latencies) {
        long[] claims = latencies[0];
        long[] rounds = latencies[1];
        System.out.println(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.1f |", name, claims.length,
                percentile(claims, 0.50), percentile(claims, 0.99), percentile(rounds, 0.50), percentile(rounds, 0.99)));
    }

    private static double percentile(long[] nanos, double quantile) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int index = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1_000.0;
    }
}
