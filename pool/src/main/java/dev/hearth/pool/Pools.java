package dev.hearth.pool;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The image pools of this gateway: the configured ones, made at start, and those made at call time for runtimes no
 * configured pool serves ({@link DynamicPools}), as the {@link PoolCatalog} decides. Each pool is thread-safe. Who
 * fills and closes the configured pools is the business of whoever made them (see {@link ImagePool} and the cluster
 * pools); the pools made at call time are closed by {@link DynamicPools}.
 */
public final class Pools {

    private final Map<String, PodPool> byImage = new LinkedHashMap<>();
    private final PoolCatalog catalog;
    private final DynamicPools dynamic;

    /** Only these pools, each for exactly its image, whatever a runtime asks for (tests, tools). */
    public Pools(List<? extends PodPool> pools) {
        this(pools, null, null);
    }

    /**
     * @param configured the pools of the catalog's exact entries
     * @param catalog    decides which pool serves a runtime; {@code null}: the configured pool of its image
     * @param dynamic    where pools made at call time live
     * @throws IllegalArgumentException when two pools serve one image
     */
    public Pools(List<? extends PodPool> configured, PoolCatalog catalog, DynamicPools dynamic) {
        for (PodPool pool : configured) {
            if (byImage.put(pool.config().image(), pool) != null) {
                throw new IllegalArgumentException("image '" + pool.config().image() + "' is configured twice");
            }
        }
        if ((catalog == null) != (dynamic == null)) {
            throw new IllegalArgumentException("a catalog needs dynamic pools and the other way round");
        }
        this.catalog = catalog;
        this.dynamic = dynamic;
    }

    /**
     * The pool for a runtime (see {@link PoolCatalog#choose}). Never blocks.
     *
     * @throws UnknownImageException  when no pool serves the image and none may be made for it
     * @throws PoolExhaustedException when a pool would be made but no more may be now
     */
    public PodPool forRuntime(PoolRequest request) {
        if (catalog == null) {
            return forImage(request.image());
        }
        PoolConfig config = catalog.choose(request);
        PodPool configured = byImage.get(config.image());
        if (configured != null && configured.config().equals(config)) {
            return configured;
        }
        return dynamic.get(config);
    }

    /** @throws UnknownImageException when no configured pool serves the image */
    public PodPool forImage(String image) {
        PodPool pool = byImage.get(image);
        if (pool == null) {
            throw new UnknownImageException(image, byImage.keySet());
        }
        return pool;
    }

    /** The configured pools, then the pools made at call time and not closed yet. */
    public Collection<PodPool> all() {
        if (dynamic == null) {
            return byImage.values();
        }
        List<PodPool> all = new ArrayList<>(byImage.values());
        all.addAll(dynamic.all());
        return all;
    }

    /** Hears of pools made and closed at call time (none are, without a catalog). */
    public void listen(DynamicPools.Listener listener) {
        if (dynamic != null) {
            dynamic.listen(listener);
        }
    }
}
