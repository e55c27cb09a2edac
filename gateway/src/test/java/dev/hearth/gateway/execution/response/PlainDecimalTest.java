package dev.hearth.gateway.execution.response;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class PlainDecimalTest {

    /** The definition PlainDecimal replaces: BigDecimal's plain form of the double's shortest digits. */
    private static String reference(double value) {
        if (!Double.isFinite(value)) {
            return "0";
        }
        BigDecimal decimal = BigDecimal.valueOf(value).stripTrailingZeros();
        return (decimal.scale() < 0 ? decimal.setScale(0) : decimal).toPlainString();
    }

    @Test
    void theNumbersAnExecutionCarries() {
        assertThat(PlainDecimal.format(1_765_100_000.123456)).isEqualTo("1765100000.123456");
        assertThat(PlainDecimal.format(0.004321)).isEqualTo("0.004321");
        assertThat(PlainDecimal.format(0.00001)).as("below 10^-3 Double.toString has an exponent").isEqualTo("0.00001");
        assertThat(PlainDecimal.format(1.7E9)).isEqualTo("1700000000");
        assertThat(PlainDecimal.format(3.0)).isEqualTo("3");
        assertThat(PlainDecimal.format(-2.50)).isEqualTo("-2.5");
    }

    @Test
    void zeroAndNonFiniteValuesAreZero() {
        assertThat(PlainDecimal.format(0.0)).isEqualTo("0");
        assertThat(PlainDecimal.format(-0.0)).isEqualTo("0");
        assertThat(PlainDecimal.format(Double.NaN)).isEqualTo("0");
        assertThat(PlainDecimal.format(Double.POSITIVE_INFINITY)).isEqualTo("0");
    }

    @Test
    void sameTextAsBigDecimalsPlainFormAcrossMagnitudes() {
        SplittableRandom random = new SplittableRandom(12);
        for (int i = 0; i < 200_000; i++) {
            double value = (random.nextBoolean() ? 1 : -1) * random.nextDouble() * Math.pow(10, random.nextInt(-12, 20));
            assertThat(PlainDecimal.format(value)).as("%s", value).isEqualTo(reference(value));
        }
        for (double value : new double[] {Double.MIN_VALUE, Double.MAX_VALUE, 1e-300, 123456789012345678.0, 0.1, 1e21}) {
            assertThat(PlainDecimal.format(value)).as("%s", value).isEqualTo(reference(value));
        }
    }
}
