package dev.lmuformer.model;

import dev.lmuformer.nn.BatchNorm1d;
import dev.lmuformer.nn.Conv1d;
import dev.lmuformer.nn.Lif;
import dev.lmuformer.nn.Ops;
import dev.lmuformer.nn.SpikingLmuCell;

import java.util.ArrayList;
import java.util.List;

/**
 * A layer seen as a step of a chain over {@code [B, N, width]} activations, so the spiking
 * models can be written as the reference's sequences ({@link Seq}).
 */
interface Op extends Sublayer {
    /** Channels of the input. */
    int inWidth();

    /** A convolution step. */
    static Op conv(Conv1d c) {
        return new Op() {
            public float[] forward(float[] x, int batch, int frames, boolean training) {
                return c.forward(x, batch, frames);
            }

            public void backward(float[] dy, float[] dx) {
                c.backward(dy, dx);
            }

            public int inWidth() {
                return c.inChannels();
            }
        };
    }

    /** A batch-norm step. */
    static Op norm(BatchNorm1d bn) {
        return new Op() {
            public float[] forward(float[] x, int batch, int frames, boolean training) {
                return bn.forward(x, batch * frames, training);
            }

            public void backward(float[] dy, float[] dx) {
                bn.backward(dy, dx);
            }

            public int inWidth() {
                return bn.channels();
            }
        };
    }

    /** A LIF step over {@code width} channels. */
    static Op lif(Lif lif, int width) {
        return new Op() {
            public float[] forward(float[] x, int batch, int frames, boolean training) {
                return lif.forward(x, batch, frames, width);
            }

            public void backward(float[] dy, float[] dx) {
                lif.backward(dy, dx);
            }

            public int inWidth() {
                return width;
            }
        };
    }

    /** A spiking LMU cell step. */
    static Op cell(SpikingLmuCell cell, int inputWidth) {
        return new Op() {
            public float[] forward(float[] x, int batch, int frames, boolean training) {
                return cell.forward(x, batch, frames, training);
            }

            public void backward(float[] dy, float[] dx) {
                cell.backward(dy, dx);
            }

            public int inWidth() {
                return inputWidth;
            }
        };
    }

    /** Steps applied in order; backward runs them in reverse through scratch gradients. */
    final class Seq implements Op {
        private final List<Op> ops;
        private final List<float[]> grads = new ArrayList<>(); // gradient at each step's input, for steps 1..n−1
        private int rows;

        Seq(Op... ops) {
            this.ops = List.of(ops);
            for (int i = 0; i < ops.length; i++) grads.add(null);
        }

        @Override
        public float[] forward(float[] x, int batch, int frames, boolean training) {
            rows = batch * frames;
            float[] h = x;
            for (Op op : ops) h = op.forward(h, batch, frames, training);
            return h;
        }

        @Override
        public void backward(float[] dy, float[] dx) {
            float[] d = dy;
            for (int i = ops.size() - 1; i >= 1; i--) {
                float[] g = Ops.zeroed(grads.get(i), rows * ops.get(i).inWidth());
                grads.set(i, g);
                ops.get(i).backward(d, g);
                d = g;
            }
            ops.get(0).backward(d, dx);
        }

        @Override
        public int inWidth() {
            return ops.get(0).inWidth();
        }
    }
}
