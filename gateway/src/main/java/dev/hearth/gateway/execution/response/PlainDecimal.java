package dev.hearth.gateway.execution.response;

import java.math.BigDecimal;

/**
 * Floats as plain decimals ({@code 1700000000.123}, never {@code 1.7E9}): Appwrite runs PHP's
 * {@code floatval} on multipart parts and plain decimals are the form every parser agrees on.
 */
final class PlainDecimal {

    private PlainDecimal() {
    }

    /** Shortest round-trip digits, no exponent, no trailing zeros; non-finite values become 0. */
    static BigDecimal of(double value) {
        if (!Double.isFinite(value)) {
            return BigDecimal.ZERO;
        }
        BigDecimal decimal = BigDecimal.valueOf(value).stripTrailingZeros();
        return decimal.scale() < 0 ? decimal.setScale(0) : decimal;
    }

    static String format(double value) {
        return of(value).toPlainString();
    }
}
