package dev.hearth.gateway.execution.response;

/**
 * Floats as plain decimals ({@code 1700000000.123}, never {@code 1.7E9}): Appwrite runs PHP's
 * {@code floatval} on multipart parts and plain decimals are the form every parser agrees on.
 *
 * <p>The digits are {@link Double#toString}'s (the shortest that read back as the same double), moved to a plain
 * form by hand: {@code BigDecimal.valueOf(value).stripTrailingZeros().toPlainString()} gives the same text, at
 * about 1 % of an execution's CPU for the two numbers each answer carries (bench/profile.sh).
 */
final class PlainDecimal {

    private PlainDecimal() {
    }

    /** Shortest round-trip digits, no exponent, no trailing zeros; non-finite values become 0. */
    static String format(double value) {
        if (!Double.isFinite(value) || value == 0) {
            return "0";
        }
        String text = Double.toString(Math.abs(value));
        int exponentAt = text.indexOf('E');
        String mantissa = exponentAt < 0 ? text : text.substring(0, exponentAt);
        int exponent = exponentAt < 0 ? 0 : Integer.parseInt(text.substring(exponentAt + 1));
        int dot = mantissa.indexOf('.');
        String digits = mantissa.substring(0, dot) + mantissa.substring(dot + 1);
        // Where the decimal point falls within digits.
        int point = dot + exponent;
        int first = 0;
        while (digits.charAt(first) == '0') {
            first++;
        }
        int end = digits.length();
        while (digits.charAt(end - 1) == '0') {
            end--;
        }
        digits = digits.substring(first, end);
        point -= first;
        StringBuilder plain = new StringBuilder(digits.length() + 24);
        if (value < 0) {
            plain.append('-');
        }
        if (point <= 0) {
            zeros(plain.append("0."), -point).append(digits);
        } else if (point >= digits.length()) {
            zeros(plain.append(digits), point - digits.length());
        } else {
            plain.append(digits, 0, point).append('.').append(digits, point, digits.length());
        }
        return plain.toString();
    }

    private static StringBuilder zeros(StringBuilder text, int count) {
        for (int i = 0; i < count; i++) {
            text.append('0');
        }
        return text;
    }
}
