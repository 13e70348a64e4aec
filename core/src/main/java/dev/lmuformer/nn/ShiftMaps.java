package dev.lmuformer.nn;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Row maps for sequences stored as {@code [B, N, ·]} rows: {@code map[b·N + t] = b·N + t + shift}
 * when {@code 0 ≤ t + shift < N}, else −1 (a zero row: the convolution's zero padding).
 */
final class ShiftMaps {
    private static final Map<Long, int[]> CACHE = new ConcurrentHashMap<>();

    private ShiftMaps() {
    }

    /** The map for a shift; null for shift 0 (the identity). Cached and shared: do not modify. */
    static int[] of(int batch, int frames, int shift) {
        if (shift == 0) return null;
        long key = ((long) batch << 40) ^ ((long) frames << 8) ^ (shift & 0xff);
        return CACHE.computeIfAbsent(key, k -> {
            int[] map = new int[batch * frames];
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < frames; t++) {
                    int s = t + shift;
                    map[b * frames + t] = s >= 0 && s < frames ? b * frames + s : -1;
                }
            }
            return map;
        });
    }
}
