package dev.lmuformer.model;

import java.util.Map;

/** Parsing and validation shared by the {@link ModelConfig} records. */
final class ConfigValues {
    private ConfigValues() {
    }

    /** Checks the name, θ and that each (key, value) pair's value is positive. */
    static void check(String arch, double theta, Object... keyValues) {
        if (arch == null || arch.isBlank()) throw new IllegalArgumentException("arch must be given");
        for (int i = 0; i < keyValues.length; i += 2) {
            int v = (Integer) keyValues[i + 1];
            if (v <= 0) throw new IllegalArgumentException(keyValues[i] + " must be positive, got " + v);
        }
        if (!(theta > 0) || Double.isInfinite(theta)) throw new IllegalArgumentException("theta must be positive, got " + theta);
    }

    static int integer(Map<String, ?> m, String key, int fallback) {
        Object v = m.get(key);
        if (v == null) return fallback;
        String s = String.valueOf(v).trim();
        // The reference passes some sizes as one-element lists, e.g. [256].
        if (s.startsWith("[") && s.endsWith("]")) s = s.substring(1, s.length() - 1).trim();
        try {
            double x = Double.parseDouble(s);
            if (x != Math.rint(x) || Math.abs(x) > Integer.MAX_VALUE) throw new NumberFormatException();
            return (int) x;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("config key '" + key + "' must be an integer, got '" + v + "'");
        }
    }

    static double number(Map<String, ?> m, String key, double fallback) {
        Object v = m.get(key);
        if (v == null) return fallback;
        try {
            return Double.parseDouble(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("config key '" + key + "' must be a number, got '" + v + "'");
        }
    }
}
