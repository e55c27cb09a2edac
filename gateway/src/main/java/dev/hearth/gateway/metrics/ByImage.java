package dev.hearth.gateway.metrics;

import java.util.Collection;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Meters of one kind per image, registered once: at start for every configured image, later only for an image
 * first seen then (a runtime another replica created from its own configuration, or of an image without an entry).
 * Finding them costs one map read; the meters of a closed set of outcomes are then one array index away
 * ({@code outcome.ordinal()}). Bounded, because images without an entry come from callers: past {@link #MAX_IMAGES}
 * images, further ones share the meters tagged {@link #OTHER}. Thread-safe.
 */
final class ByImage<M> {

    /** Most images with meters of their own; enough for every Open Runtimes image many times over. */
    static final int MAX_IMAGES = 512;
    /** The image tag of the meters every image past {@link #MAX_IMAGES} shares. */
    static final String OTHER = "other";

    private final ConcurrentMap<String, M> meters = new ConcurrentHashMap<>();
    private final Function<String, M> register;

    ByImage(Collection<String> images, Function<String, M> register) {
        this.register = register;
        images.forEach(this::get);
    }

    M get(String image) {
        M found = meters.get(image);
        if (found != null) {
            return found;
        }
        // Racing first sightings may pass the bound by a few: it bounds the series, it need not be exact.
        return meters.computeIfAbsent(meters.size() < MAX_IMAGES ? image : OTHER, register);
    }

    /** One meter per constant of {@code values}, indexed by ordinal. */
    static <E extends Enum<E>, T> T[] each(E[] values, Function<E, T> make, IntFunction<T[]> array) {
        T[] made = array.apply(values.length);
        for (E value : values) {
            made[value.ordinal()] = make.apply(value);
        }
        return made;
    }

    /** The tag value of an outcome or a reason: its name in lower case ({@code LEASE_LOST} → {@code lease_lost}). */
    static String tag(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
