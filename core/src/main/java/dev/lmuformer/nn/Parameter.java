package dev.lmuformer.nn;

import dev.lmuformer.engine.Tensor;

/**
 * A named trainable tensor and its gradient. The name is the reference state_dict key
 * (for example {@code block.0.attn.lmu.W_h.weight}), so checkpoints map one to one.
 */
public final class Parameter {
    private final String name;
    private final int[] shape;
    /** The values, row-major in the reference's layout. */
    public final float[] data;
    /** The gradient, same layout; backward passes add into it. */
    public final float[] grad;

    /** A zero parameter of the given shape. */
    public Parameter(String name, int... shape) {
        this.name = name;
        this.shape = shape.clone();
        int n = 1;
        for (int d : shape) n *= d;
        this.data = new float[n];
        this.grad = new float[n];
    }

    /** The state_dict key. */
    public String name() {
        return name;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** Number of values. */
    public int size() {
        return data.length;
    }

    /** The values as a tensor (shares the array). */
    public Tensor tensor() {
        return new Tensor(data, shape);
    }

    /** Sets the gradient to zero. */
    public void zeroGrad() {
        java.util.Arrays.fill(grad, 0f);
    }
}
