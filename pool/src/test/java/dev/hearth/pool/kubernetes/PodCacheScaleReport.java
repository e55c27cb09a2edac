package dev.hearth.pool.kubernetes;

import java.util.List;
import java.util.Locale;

import dev.hearth.pool.kubernetes.PodCacheScaleBench.Calls;
import dev.hearth.pool.kubernetes.PodCacheScaleBench.Row;

/**
 * {@link PodCacheScaleBench}'s tables: the claims against their same-run reference (the same patch by a bare client),
 * each call split at its HTTP steps, and the ratios issue 12 asks about. Not a test.
 */
final class PodCacheScaleReport {

    private PodCacheScaleReport() {
    }

    /** {@code rows}: few pods with some warm, many with as many warm, many all warm, many with few warm. */
    static void print(List<Row> rows) {
        System.out.println("| pods in the cache | warm | claims | claim p50 ms | claim p99 ms | bare patch p50 ms "
                + "(reference) | bare patch p99 ms | claim ÷ reference p50 | claim − reference p50 ms "
                + "| relabel p50 ms | cache look µs | GCs | GC ms | claims with a retry |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Row row : rows) {
            double claim = Calls.p50(row.claims().total);
            double reference = Calls.p50(row.bareClaims().total);
            System.out.println(format("| %d | %d | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.1f | %d | %d | %d |",
                    row.total(), row.warm(), row.claims().total.length, claim,
                    Calls.percentile(row.claims().total, 0.99), reference,
                    Calls.percentile(row.bareClaims().total, 0.99), claim / reference, claim - reference,
                    Calls.p50(row.relabels().total), row.lookMicros(), row.gcs(), row.gcMillis(),
                    row.claims().repeated));
        }
        System.out.println();
        System.out.println("Each call split at its HTTP steps (OkHttp's events), p50 of each part in ms (p50s do not "
                + "add up to the total's p50):");
        System.out.println();
        System.out.println("| pods in the cache | warm | call | before the request | request → answer's headers "
                + "| answer's body | after the body | total |");
        System.out.println("|---:|---:|---|---:|---:|---:|---:|---:|");
        for (Row row : rows) {
            split(row, "claim (Hearth)", row.claims());
            split(row, "guarded patch (bare client)", row.bareClaims());
            split(row, "relabel (Hearth's adapter)", row.relabels());
            split(row, "relabel (bare client)", row.bareRelabels());
        }
        System.out.println();
        ratios(rows.get(0), rows.get(1));
        ratios(rows.get(3), rows.get(2));
    }

    private static void split(Row row, String call, Calls calls) {
        System.out.println(format("| %d | %d | %s | %.2f | %.2f | %.2f | %.2f | %.2f |", row.total(), row.warm(), call,
                Calls.p50(calls.before), Calls.p50(calls.server), Calls.p50(calls.body), Calls.p50(calls.after),
                Calls.p50(calls.total)));
    }

    /** How {@code large}'s claims compare with {@code small}'s, in all and as Hearth's own share (÷ reference). */
    private static void ratios(Row small, Row large) {
        double claimSmall = Calls.p50(small.claims().total);
        double claimLarge = Calls.p50(large.claims().total);
        double referenceSmall = Calls.p50(small.bareClaims().total);
        double referenceLarge = Calls.p50(large.bareClaims().total);
        System.out.println(format("claim p50, %d pods (%d warm) ÷ %d pods (%d warm): %.2f; the reference (the same "
                        + "patch, bare client): %.2f; claim ÷ reference: %.2f → %.2f, Hearth's own share ×%.2f",
                large.total(), large.warm(), small.total(), small.warm(), claimLarge / claimSmall,
                referenceLarge / referenceSmall, claimSmall / referenceSmall, claimLarge / referenceLarge,
                (claimLarge / referenceLarge) / (claimSmall / referenceSmall)));
    }

    private static String format(String pattern, Object... values) {
        return String.format(Locale.ROOT, pattern, values);
    }
}
