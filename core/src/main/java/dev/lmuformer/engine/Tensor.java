package dev.lmuformer.engine;

import java.util.Arrays;

/**
 * A dense float32 tensor in row-major order: a flat array and a shape.
 *
 * <p>The engine works on the flat arrays directly (llm.c style); this class only carries shape
 * information across API boundaries (file formats, model inputs and outputs, tests).
 */
public final class Tensor {
    /** The values, row-major. */
    public final float[] data;
    private final int[] shape;

    /** A zero tensor of the given shape. */
    public Tensor(int... shape) {
        this(new float[checkedSize(shape)], shape);
    }

    /** Wraps {@code data} (not copied) with the given shape. */
    public Tensor(float[] data, int... shape) {
        if (data.length != checkedSize(shape)) {
            throw new IllegalArgumentException("data has " + data.length + " values but shape "
                    + Arrays.toString(shape) + " needs " + checkedSize(shape));
        }
        this.data = data;
        this.shape = shape.clone();
    }

    private static int checkedSize(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n *= d;
            if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("tensor too large: " + Arrays.toString(shape));
        }
        return (int) n;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** Size of dimension {@code i}; negative {@code i} counts from the end. */
    public int dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Number of elements. */
    public int size() {
        return data.length;
    }

    /** The same data seen with another shape of equal size. */
    public Tensor reshape(int... newShape) {
        return new Tensor(data, newShape);
    }

    /** A deep copy. */
    public Tensor copy() {
        return new Tensor(data.clone(), shape);
    }

    /** True when the shape equals {@code expected}. */
    public boolean hasShape(int... expected) {
        return Arrays.equals(shape, expected);
    }

    /** The shape as {@code [a, b, c]}. */
    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return "Tensor" + shapeString();
    }
}
