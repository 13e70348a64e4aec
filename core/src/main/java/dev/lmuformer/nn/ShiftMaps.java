package dev.lmuformer.nn;

/**
 * Row maps for the direct form of a "same" convolution: entry {@code b·N + t} is the row that frame
 * t of sequence b reads at a tap's shift, {@code b·N + t + shift}, or −1 outside the sequence. A
 * convolution holds one of these for its last input shape, so the maps are built once per shape and
 * nothing is shared between layers.
 */
final class ShiftMaps {
    private final int maxShift;
    private final int[][] maps; // by shift + maxShift; null until built for the current shape
    private int batch = -1;
    private int frames = -1;

    /** Maps for shifts in [−maxShift, maxShift]. */
    ShiftMaps(int maxShift) {
        this.maxShift = maxShift;
        this.maps = new int[2 * maxShift + 1][];
    }

    /** The map for a shift; null for shift 0 (the identity). Owned by this object: do not modify. */
    int[] of(int batch, int frames, int shift) {
        if (shift == 0) return null;
        if (Math.abs(shift) > maxShift) throw new IllegalArgumentException("shift " + shift + " beyond ±" + maxShift);
        if (batch != this.batch || frames != this.frames) {
            java.util.Arrays.fill(maps, null);
            this.batch = batch;
            this.frames = frames;
        }
        int[] map = maps[shift + maxShift];
        if (map == null) {
            map = new int[batch * frames];
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < frames; t++) {
                    int s = t + shift;
                    map[b * frames + t] = s >= 0 && s < frames ? b * frames + s : -1;
                }
            }
            maps[shift + maxShift] = map;
        }
        return map;
    }
}
