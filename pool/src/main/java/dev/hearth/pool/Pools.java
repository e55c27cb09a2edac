package dev.hearth.pool;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The image pools of this gateway, by image. Immutable set of pools; each pool is thread-safe. */
public final class Pools implements AutoCloseable {

    private final Map<String, ImagePool> byImage = new LinkedHashMap<>();

    public Pools(List<PoolConfig> configs, PodDriver driver) {
        for (PoolConfig config : configs) {
            if (byImage.put(config.image(), new ImagePool(config, driver)) != null) {
                throw new IllegalArgumentException("image '" + config.image() + "' is configured twice");
            }
        }
    }

    /** @throws UnknownImageException when no pool serves the image */
    public ImagePool forImage(String image) {
        ImagePool pool = byImage.get(image);
        if (pool == null) {
            throw new UnknownImageException(image, byImage.keySet());
        }
        return pool;
    }

    public Collection<ImagePool> all() {
        return byImage.values();
    }

    public void warmup() {
        byImage.values().forEach(ImagePool::warmup);
    }

    /** Routes a driver's pod termination to whichever pool held the pod warm. */
    public void podTerminated(String podId) {
        byImage.values().forEach(pool -> pool.podTerminated(podId));
    }

    @Override
    public void close() {
        byImage.values().forEach(ImagePool::close);
    }
}
