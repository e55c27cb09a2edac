package dev.hearth.pool;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The image pools of this gateway, by image. Immutable once built; each pool is thread-safe. Who fills and
 * closes the pools is the business of whoever made them (see {@link ImagePool} and the cluster pools).
 */
public final class Pools {

    private final Map<String, PodPool> byImage = new LinkedHashMap<>();

    /** @throws IllegalArgumentException when two pools serve one image */
    public Pools(List<? extends PodPool> pools) {
        for (PodPool pool : pools) {
            if (byImage.put(pool.config().image(), pool) != null) {
                throw new IllegalArgumentException("image '" + pool.config().image() + "' is configured twice");
            }
        }
    }

    /** @throws UnknownImageException when no pool serves the image */
    public PodPool forImage(String image) {
        PodPool pool = byImage.get(image);
        if (pool == null) {
            throw new UnknownImageException(image, byImage.keySet());
        }
        return pool;
    }

    public Collection<PodPool> all() {
        return byImage.values();
    }
}
