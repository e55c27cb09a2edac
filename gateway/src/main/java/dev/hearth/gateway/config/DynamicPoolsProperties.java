package dev.hearth.gateway.config;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.hearth.pool.DynamicPools;
import dev.hearth.pool.ImagePattern;

/**
 * {@code hearth.dynamic-pools}: pools made at call time, for images with no entry in {@code hearth.pools} (from
 * {@code hearth.pool-defaults}), for images a pattern entry matches, and for runtimes whose limits a warm pool's pods
 * do not cover. Each has size 0 (a pod per runtime, with exactly its limits). The Docker and Kubernetes drivers only:
 * the local driver runs configured images alone.
 *
 * @param imagesAllowed images that get a pool from the defaults without an entry, as {@link ImagePattern globs}:
 *                      {@code **} (the default) any image, as the upstream executor; empty: only configured images
 *                      and pattern entries. A pattern entry's images are allowed whatever this says.
 * @param maxPools      most such pools at once on a replica (each image, adapter and limits is one); beyond, 503
 * @param idleAfter     such a pool unused this long, with no pod of it in use, is closed
 */
public record DynamicPoolsProperties(@DefaultValue("**") List<String> imagesAllowed,
                                     @DefaultValue("256") int maxPools, @DefaultValue("10m") Duration idleAfter) {

    public DynamicPoolsProperties {
        imagesAllowed = imagesAllowed == null ? List.of() : List.copyOf(imagesAllowed);
        for (int i = 0; i < imagesAllowed.size(); i++) {
            if (imagesAllowed.get(i) == null || imagesAllowed.get(i).isBlank()) {
                throw new IllegalArgumentException("hearth.dynamic-pools.images-allowed[" + i
                        + "] must not be blank, but was '" + imagesAllowed.get(i) + "'");
            }
        }
        if (maxPools < 1) {
            throw new IllegalArgumentException("hearth.dynamic-pools.max-pools must be >= 1, but was " + maxPools);
        }
        Durations.requirePositive("hearth.dynamic-pools.idle-after", idleAfter);
    }

    List<ImagePattern> allowed() {
        return imagesAllowed.stream().map(ImagePattern::of).toList();
    }

    DynamicPools.Settings settings() {
        return new DynamicPools.Settings(maxPools, idleAfter);
    }
}
