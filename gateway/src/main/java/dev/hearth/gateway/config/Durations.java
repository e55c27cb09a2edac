package dev.hearth.gateway.config;

import java.time.Duration;

/** The one check every configured duration shares, naming the property. */
final class Durations {

    private Durations() {
    }

    static Duration requirePositive(String property, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(property + " must be positive, but was " + value);
        }
        return value;
    }
}
