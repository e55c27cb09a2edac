package dev.hearth.gateway.metrics;

import java.util.Collection;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Meters of one kind per image, registered once: at start for every configured image, later only for an image
 * first seen then (a runtime another replica created from its own configuration). Finding them costs one map
 * read; the meters of a closed set of outcomes are then one array index away ({@code outcome.ordinal()}).
 * Thread-safe.
 */
final class ByImage<M> {

    private final ConcurrentMap<String, M> meters = new ConcurrentHashMap<>();
    private final Function<String, M> register;

    ByImage(Collection<String> images, Function<String, M> register) {
        this.register = register;
        images.forEach(this::get);
    }

    M get(String image) {
        M found = meters.get(image);
        return found != null ? found : meters.computeIfAbsent(image, register);
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
