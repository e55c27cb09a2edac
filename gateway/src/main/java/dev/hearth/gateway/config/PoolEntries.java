package dev.hearth.gateway.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.hearth.pool.ImagePattern;
import dev.hearth.pool.PodLimits;
import dev.hearth.pool.PoolCatalog;
import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.docker.DockerPoolSpec;
import dev.hearth.pool.kubernetes.KubernetesPoolSpec;
import dev.hearth.runner.protocol.Adapter;

/**
 * {@code hearth.pools} with {@code hearth.pool-defaults} and {@code hearth.dynamic-pools}, resolved: the configured
 * pools, the {@link PoolCatalog} that picks a runtime's pool at call time, and each pool's pod spec on the driver.
 * Every entry is checked on construction (at startup), the bad key named. Immutable.
 *
 * <p>A pool's entry is found by its image as the catalog finds it: the exact entry, else the first pattern entry
 * matching it, else the defaults. Pods of a pool made per runtime with the {@code openruntimes} adapter from a pattern
 * entry or the defaults get {@link PoolKubernetesProperties#OPEN_RUNTIMES} under the entry's own block.
 */
final class PoolEntries {

    private static final String DEFAULTS_KEY = "hearth.pool-defaults";

    private final HearthProperties.Driver driver;
    private final PoolProperties defaults;
    private final List<PoolProperties> pools;
    private final KubernetesProperties kubernetes;
    private final DynamicPoolsProperties dynamic;
    private final List<PoolConfig> configs = new ArrayList<>();
    private final List<ImagePattern> patterns = new ArrayList<>();
    private final List<Integer> patternIndexes = new ArrayList<>();
    private final PoolConfig defaultsConfig;

    PoolEntries(HearthProperties.Driver driver, PoolProperties defaults, List<PoolProperties> pools,
                KubernetesProperties kubernetes, DynamicPoolsProperties dynamic) {
        this.driver = driver;
        this.defaults = defaults;
        this.pools = pools;
        this.kubernetes = kubernetes;
        this.dynamic = dynamic;
        Set<String> images = new HashSet<>();
        for (int i = 0; i < pools.size(); i++) {
            String key = "hearth.pools[" + i + "]";
            PoolConfig config = pools.get(i).toConfig(defaults, key);
            if (!images.add(config.image())) {
                throw new IllegalArgumentException(key + ".image '" + config.image() + "' is configured twice");
            }
            if (ImagePattern.isPattern(config.image())) {
                patterns.add(ImagePattern.of(config.image()));
                patternIndexes.add(i);
            } else {
                configs.add(config);
            }
            kubernetesSpec(pools.get(i), key, config.adapter());
            dockerSpec(pools.get(i), key);
        }
        this.defaultsConfig = asEntry(defaults).toConfig(defaults, DEFAULTS_KEY);
        kubernetesSpec(null, DEFAULTS_KEY, Adapter.OPENRUNTIMES.wireName());
        dynamic.allowed();
    }

    /** The configured pools: every entry for one image (pattern entries make pools at call time). */
    List<PoolConfig> configs() {
        return List.copyOf(configs);
    }

    /** What picks a runtime's pool; the local driver makes none for an image without an entry. */
    PoolCatalog catalog() {
        List<PoolCatalog.Entry> entries = new ArrayList<>();
        for (int i = 0; i < pools.size(); i++) {
            PoolConfig config = pools.get(i).toConfig(defaults, "hearth.pools[" + i + "]");
            entries.add(new PoolCatalog.Entry(config, pools.get(i).adapter() != null, capacity(config)));
        }
        List<ImagePattern> allowed = driver == HearthProperties.Driver.LOCAL ? List.of() : dynamic.allowed();
        return new PoolCatalog(entries, new PoolCatalog.Unconfigured(allowed, defaultsConfig,
                driver != HearthProperties.Driver.LOCAL, driver.name().toLowerCase(java.util.Locale.ROOT)));
    }

    /** The Kubernetes spec of {@code pool}'s pods, its limits as its entry says (the pool's own apply later). */
    KubernetesPoolSpec kubernetesSpec(PoolConfig pool) {
        int index = entryIndex(pool.image());
        return kubernetesSpec(index < 0 ? null : pools.get(index), index < 0 ? DEFAULTS_KEY
                : "hearth.pools[" + index + "]", pool.adapter());
    }

    /** The Kubernetes spec of {@code image}'s pods as far as the image decides it (the runner's port, e.g.). */
    KubernetesPoolSpec kubernetesSpec(String image) {
        int index = entryIndex(image);
        PoolProperties entry = index < 0 ? null : pools.get(index);
        String adapter = entry == null || entry.adapter() == null ? defaultsConfig.adapter() : entry.adapter();
        return kubernetesSpec(entry, index < 0 ? DEFAULTS_KEY : "hearth.pools[" + index + "]", adapter);
    }

    /** The Docker spec of {@code image}'s containers: its entry's {@code docker} block over the defaults'. */
    DockerPoolSpec dockerSpec(String image) {
        int index = entryIndex(image);
        return dockerSpec(index < 0 ? null : pools.get(index), index < 0 ? DEFAULTS_KEY : "hearth.pools[" + index + "]");
    }

    /**
     * The Docker spec of {@code pool}'s containers: its entry's {@code docker} block over the defaults'; for a pool
     * made per runtime (a pattern entry or the defaults) with the openruntimes adapter, over
     * {@link PoolDockerProperties#OPEN_RUNTIMES} (root, a writable root filesystem), as on Kubernetes.
     */
    DockerPoolSpec dockerSpec(PoolConfig pool) {
        int index = entryIndex(pool.image());
        PoolProperties entry = index < 0 ? null : pools.get(index);
        boolean perRuntime = entry == null || ImagePattern.isPattern(entry.image());
        if (driver != HearthProperties.Driver.DOCKER || !perRuntime
                || Adapter.fromWire(pool.adapter()) != Adapter.OPENRUNTIMES) {
            return dockerSpec(pool.image());
        }
        PoolDockerProperties base = PoolDockerProperties.OPEN_RUNTIMES.over(defaults.docker());
        PoolDockerProperties own = entry == null || entry.docker() == null ? PoolDockerProperties.NONE : entry.docker();
        String key = index < 0 ? DEFAULTS_KEY : "hearth.pools[" + index + "]";
        try {
            return own.over(base).spec();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ".docker (over hearth.pool-defaults.docker): " + e.getMessage(), e);
        }
    }

    /** The entry serving {@code image}: exact, else the first matching pattern; -1 for the defaults. */
    private int entryIndex(String image) {
        for (int i = 0; i < pools.size(); i++) {
            if (image.equals(pools.get(i).image())) {
                return i;
            }
        }
        for (int i = 0; i < patterns.size(); i++) {
            if (patterns.get(i).matches(image)) {
                return patternIndexes.get(i);
            }
        }
        return -1;
    }

    private PodLimits capacity(PoolConfig config) {
        return switch (driver) {
            case KUBERNETES -> kubernetesSpec(config).podLimits();
            case DOCKER -> {
                DockerPoolSpec spec = dockerSpec(config.image());
                yield new PodLimits(spec.cpus(), spec.memoryBytes() >> 20);
            }
            case LOCAL -> PodLimits.NONE;
        };
    }

    /**
     * {@code entry}'s block over the defaults' ({@code entry} null: the defaults alone); for a pool made per runtime
     * from a pattern entry or the defaults with the openruntimes adapter, over {@link PoolKubernetesProperties#OPEN_RUNTIMES}.
     */
    private KubernetesPoolSpec kubernetesSpec(PoolProperties entry, String key, String adapter) {
        if (driver != HearthProperties.Driver.KUBERNETES) {
            return null;
        }
        boolean perRuntime = entry == null || ImagePattern.isPattern(entry.image());
        PoolKubernetesProperties base = defaults.kubernetes() == null ? PoolKubernetesProperties.NONE
                : defaults.kubernetes();
        if (perRuntime && Adapter.fromWire(adapter) == Adapter.OPENRUNTIMES) {
            base = PoolKubernetesProperties.OPEN_RUNTIMES.over(base);
        }
        PoolKubernetesProperties own = entry == null || entry.kubernetes() == null ? PoolKubernetesProperties.NONE
                : entry.kubernetes();
        try {
            return own.over(base).spec(kubernetes.runnerImage(), kubernetes.runnerPort());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ".kubernetes (over hearth.pool-defaults.kubernetes): "
                    + e.getMessage(), e);
        }
    }

    private DockerPoolSpec dockerSpec(PoolProperties entry, String key) {
        if (driver != HearthProperties.Driver.DOCKER) {
            return null;
        }
        try {
            return (entry == null ? asEntry(defaults) : entry).dockerOver(defaults).spec();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ".docker (over hearth.pool-defaults.docker): " + e.getMessage(), e);
        }
    }

    /** The defaults as an entry of their own (for any image: {@code **}). */
    private static PoolProperties asEntry(PoolProperties defaults) {
        return new PoolProperties("**", 0, defaults.max(), defaults.maxPending(), defaults.acquireTimeout(),
                defaults.adapter(), defaults.command(), defaults.startTimeout(), null, null);
    }
}
