package dev.lmuformer.spot;

import java.math.BigDecimal;

/** Numbers as text for the files of this package: plain decimals, whatever the locale. */
final class Numbers {
    private Numbers() {
    }

    /**
     * A decimal that reads back exactly as {@code x}, without an exponent ({@code 0.0001},
     * not {@code 1.0E-4}); {@code NaN} and infinities as Java spells them.
     */
    static String plain(double x) {
        if (!Double.isFinite(x)) return Double.toString(x);
        String s = BigDecimal.valueOf(x).stripTrailingZeros().toPlainString();
        return s.indexOf('.') < 0 ? s + ".0" : s;
    }

    /**
     * {@code x} rounded to 6 decimals, plain: a rate computed from counts without its rounding
     * noise ({@code 0.1}, not {@code 0.09999999999999998}).
     */
    static String rate(double x) {
        return Double.isFinite(x) ? plain(Math.round(x * 1e6) / 1e6) : plain(x);
    }
}
