package dev.hearth.pool;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.hearth.runner.protocol.Adapter;

/**
 * Which pool serves a runtime, decided at call time from its image, version and limits (README, "Pools"):
 * <ol>
 *   <li>the entry configured for exactly that image: its own pool when its pods' limits cover the runtime's
 *       ({@code size > 0}), else the entry made per runtime — a pod of its own with exactly the runtime's limits;</li>
 *   <li>else the first pattern entry matching the image ({@link ImagePattern}), made per runtime;</li>
 *   <li>else, when the image is among those allowed without an entry, the defaults, made per runtime;</li>
 *   <li>else refused ({@link UnknownImageException}).</li>
 * </ol>
 * A pool made per runtime has size 0 and the runtime's limits; its adapter is its entry's when the entry names one,
 * else {@code openruntimes} for an Open Runtimes version ({@link #OPEN_RUNTIMES_VERSIONS}), else the defaults'.
 * Immutable and thread-safe; no I/O.
 */
public final class PoolCatalog {

    /** Versions whose images are unchanged Open Runtimes images: their pools default to the openruntimes adapter. */
    public static final Set<String> OPEN_RUNTIMES_VERSIONS = Set.of("v2", "v5");

    /**
     * A configured pool.
     *
     * @param config     the pool; for a pattern entry its image is the glob
     * @param adapterSet whether the entry named its adapter (else the version decides, for pools made per runtime)
     * @param capacity   the limits its pods get from the driver's settings; {@link PodLimits#NONE} if none
     */
    public record Entry(PoolConfig config, boolean adapterSet, PodLimits capacity) {
        public Entry {
            Objects.requireNonNull(config, "config");
            capacity = capacity == null ? PodLimits.NONE : capacity;
        }
    }

    /**
     * How images without an entry are served.
     *
     * @param allowed       images that get a pool from the defaults; empty: none
     * @param defaults      the defaults as a pool (its image unused)
     * @param openRuntimes  whether this driver can run an Open Runtimes image's server (own network per pod)
     * @param driver        the driver's name, for refusals
     */
    public record Unconfigured(List<ImagePattern> allowed, PoolConfig defaults, boolean openRuntimes, String driver) {
        public Unconfigured {
            allowed = List.copyOf(allowed);
            Objects.requireNonNull(defaults, "defaults");
        }
    }

    private final Map<String, Entry> exact = new LinkedHashMap<>();
    private final List<Entry> patterns;
    private final List<ImagePattern> patternGlobs;
    private final Unconfigured unconfigured;

    /** @param entries exact and pattern entries; patterns are tried in this order */
    public PoolCatalog(List<Entry> entries, Unconfigured unconfigured) {
        this.patterns = entries.stream().filter(e -> ImagePattern.isPattern(e.config().image())).toList();
        this.patternGlobs = patterns.stream().map(e -> ImagePattern.of(e.config().image())).toList();
        entries.stream().filter(e -> !ImagePattern.isPattern(e.config().image()))
                .forEach(e -> exact.put(e.config().image(), e));
        this.unconfigured = Objects.requireNonNull(unconfigured, "unconfigured");
    }

    /** The pools made at start: every exact entry. */
    public List<PoolConfig> configured() {
        return exact.values().stream().map(Entry::config).toList();
    }

    /**
     * The pool for {@code request}: a configured pool's own config, or the config of a pool made per runtime.
     *
     * @throws UnknownImageException when the image has no entry and is not allowed without one, or its pool would
     *                               need an adapter this driver cannot run
     */
    public PoolConfig choose(PoolRequest request) {
        Entry entry = exact.get(request.image());
        if (entry != null) {
            PoolConfig pool = entry.config();
            if (pool.size() > 0 ? entry.capacity().covers(request.limits()) : request.limits().unset()) {
                return pool;
            }
            // A pod of its own, as the entry says but with the runtime's limits (README, "Limits").
            return pool.perRuntime(pool.image(), pool.adapter(), request.limits());
        }
        for (int i = 0; i < patterns.size(); i++) {
            if (patternGlobs.get(i).matches(request.image())) {
                return perRuntime(patterns.get(i), request);
            }
        }
        if (unconfigured.allowed().stream().anyMatch(glob -> glob.matches(request.image()))) {
            return perRuntime(new Entry(unconfigured.defaults(), false, PodLimits.NONE), request);
        }
        throw refusal(request);
    }

    private PoolConfig perRuntime(Entry entry, PoolRequest request) {
        PoolConfig template = entry.config();
        String adapter = entry.adapterSet() ? template.adapter() : adapterFor(request.version(), template.adapter());
        if (!unconfigured.openRuntimes() && Adapter.fromWire(adapter) == Adapter.OPENRUNTIMES) {
            throw new UnknownImageException("Image '" + request.image() + "' would run with the openruntimes adapter,"
                    + " which the " + unconfigured.driver() + " driver cannot run: an Open Runtimes image serves on port"
                    + " 3000 of every address, so each of its pods needs a network of its own. Use the Kubernetes"
                    + " driver (hearth.driver=kubernetes).");
        }
        return template.perRuntime(request.image(), adapter, request.limits());
    }

    /** {@code openruntimes} for an Open Runtimes version, else {@code fallback}. */
    static String adapterFor(String version, String fallback) {
        return OPEN_RUNTIMES_VERSIONS.contains(version) ? Adapter.OPENRUNTIMES.wireName() : fallback;
    }

    private UnknownImageException refusal(PoolRequest request) {
        String known = String.join(", ", exact.keySet());
        if (OPEN_RUNTIMES_VERSIONS.contains(request.version()) && unconfigured.allowed().isEmpty()
                && !unconfigured.openRuntimes()) {
            return new UnknownImageException("No pool is configured for image '" + request.image() + "', and the "
                    + unconfigured.driver() + " driver runs no Open Runtimes image (version " + request.version()
                    + "): use the Docker or Kubernetes driver (hearth.driver=docker or kubernetes). Configured images: "
                    + known + ".");
        }
        return new UnknownImageException("No pool is configured for image '" + request.image() + "' and it is not"
                + " among the images allowed without one (hearth.dynamic-pools.images-allowed). Configured images: "
                + known + ".");
    }
}
