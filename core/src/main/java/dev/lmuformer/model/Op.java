package dev.lmuformer.model;

import dev.lmuformer.nn.BatchNorm1d;
import dev.lmuformer.nn.Conv1d;
import dev.lmuformer.nn.FrameBuild;
import dev.lmuformer.nn.FrameGroup;
import dev.lmuformer.nn.FrameLayer;
import dev.lmuformer.nn.FrameState;
import dev.lmuformer.nn.Gelu;
import dev.lmuformer.nn.Lif;
import dev.lmuformer.nn.LmuBuffers;
import dev.lmuformer.nn.LmuCell;
import dev.lmuformer.nn.Ops;
import dev.lmuformer.nn.Relu;
import dev.lmuformer.nn.SpikingLmuCell;

import java.util.ArrayList;
import java.util.List;

/**
 * One step of a model's composition over {@code [B, N, width]} activations: a layer, a chain of
 * steps ({@link #seq}) or a residual branch ({@link #residual}). A model is written once as such a
 * composition, and everything else is derived from it by walking it in order: the forward pass,
 * the backward pass (in reverse), the state_dict, the profiler's steps and the per-frame
 * (streaming) form.
 */
interface Op {
    /** Channels of the input. */
    int inWidth();

    /** Channels of the output. */
    int outWidth();

    /** Output {@code [B, N, outWidth]} (a buffer owned by the step). */
    float[] forward(float[] x, int batch, int frames, boolean training);

    /**
     * Adds the parameter gradients of the last forward for {@code dy}; the input gradient is added
     * into {@code dx} ({@code accumulate}) or written there, and not computed where {@code dx} is null.
     */
    void backward(float[] dy, float[] dx, boolean accumulate);

    /** Registers the step's tensors, in order. */
    void register(StateDict state);

    /** Records the step for the profiler; returns what it outputs. */
    Signal describe(Structure s, Signal x);

    /** The per-frame form for input {@code x}, and what it outputs. */
    Framed frames(FrameBuild build, Signal x);

    /** Adds the neuron layers, in forward order. */
    default void neurons(List<Lif> out) {
    }

    /** A per-frame form and its output signal. */
    record Framed(FrameLayer layer, Signal out) {
    }

    /** A convolution. */
    static Op conv(Conv1d c) {
        return new Leaf(c.inChannels(), c.outChannels()) {
            public float[] forward(float[] x, int batch, int frames, boolean training) {
                return c.forward(x, batch, frames);
            }

            public void backward(float[] dy, float[] dx, boolean accumulate) {
                c.backward(dy, dx, accumulate);
            }

            public void register(StateDict state) {
                state.params(c.parameters());
            }

            public Signal describe(Structure s, Signal x) {
                return s.conv(c, x);
            }

            public Framed frames(FrameBuild build, Signal x) {
                return new Framed(c.frames(build, x.spiking()), Signal.real(c.outChannels()));
            }
        };
    }

    /** A batch norm. */
    static Op norm(BatchNorm1d bn) {
        return new Leaf(bn.channels(), bn.channels()) {
            public float[] forward(float[] x, int batch, int frames, boolean training) {
                return bn.forward(x, batch * frames, training);
            }

            public void backward(float[] dy, float[] dx, boolean accumulate) {
                bn.backward(dy, dx, accumulate);
            }

            public void register(StateDict state) {
                state.norm(bn);
            }

            public Signal describe(Structure s, Signal x) {
                return s.norm(bn, x);
            }

            public Framed frames(FrameBuild build, Signal x) {
                return new Framed(bn.frames(), Signal.real(bn.channels()));
            }
        };
    }

    /** A neuron layer {@code name} over {@code width} channels. */
    static Op lif(String name, Lif lif, int width) {
        return new Leaf(width, width) {
            public float[] forward(float[] x, int batch, int frames, boolean training) {
                rows = batch * frames;
                return lif.forward(x, batch, frames, width);
            }

            public void backward(float[] dy, float[] dx, boolean accumulate) {
                lif.backward(dy, cleared(dx, accumulate));
            }

            public Signal describe(Structure s, Signal x) {
                return s.lif(name, lif, x);
            }

            public Framed frames(FrameBuild build, Signal x) {
                return new Framed(lif.frames(width, build), Signal.spikes(lif, width));
            }

            public void neurons(List<Lif> out) {
                out.add(lif);
            }
        };
    }

    /** The ReLU {@code relu}, named {@code name}, over {@code width} channels. */
    static Op relu(String name, Relu relu, int width) {
        return new Leaf(width, width) {
            public float[] forward(float[] x, int batch, int frames, boolean training) {
                return relu.forward(x, batch * frames * width);
            }

            public void backward(float[] dy, float[] dx, boolean accumulate) {
                relu.backward(dy, dx, accumulate);
            }

            public Signal describe(Structure s, Signal x) {
                return s.elementwise(name, ForwardStep.Kind.RELU, x);
            }

            public Framed frames(FrameBuild build, Signal x) {
                return new Framed(relu.frames(width), Signal.real(width));
            }
        };
    }

    /** The exact GELU {@code gelu}, named {@code name}, over {@code width} channels. */
    static Op gelu(String name, Gelu gelu, int width) {
        return new Leaf(width, width) {
            public float[] forward(float[] x, int batch, int frames, boolean training) {
                return gelu.forward(x, batch * frames * width);
            }

            public void backward(float[] dy, float[] dx, boolean accumulate) {
                gelu.backward(dy, dx, accumulate);
            }

            public Signal describe(Structure s, Signal x) {
                return s.elementwise(name, ForwardStep.Kind.GELU, x);
            }

            public Framed frames(FrameBuild build, Signal x) {
                return new Framed(gelu.frames(width, build), Signal.real(width));
            }
        };
    }

    /** The non-spiking LMU cell {@code prefix}: its buffers A, B, H, then W_u and W_h. */
    static Op cell(String prefix, LmuCell c) {
        return new Leaf(c.inputSize(), c.hiddenSize()) {
            public float[] forward(float[] x, int batch, int frames, boolean training) {
                rows = batch * frames;
                return c.forward(x, batch, frames);
            }

            public void backward(float[] dy, float[] dx, boolean accumulate) {
                c.backward(dy, cleared(dx, accumulate));
            }

            public void register(StateDict state) {
                registerBuffers(state, prefix, c.buffers());
                state.params(c.parameters());
            }

            public Signal describe(Structure s, Signal x) {
                return s.cell(prefix, c, x);
            }

            public Framed frames(FrameBuild build, Signal x) {
                return new Framed(c.frames(build), Signal.real(c.hiddenSize()));
            }
        };
    }

    /** The spiking LMU cell {@code prefix} over {@code inputWidth} channels: buffers, W_u, W_h, then its batch norms. */
    static Op spikingCell(String prefix, SpikingLmuCell c, int inputWidth) {
        return new Leaf(inputWidth, c.wH.outFeatures()) {
            public float[] forward(float[] x, int batch, int frames, boolean training) {
                rows = batch * frames;
                return c.forward(x, batch, frames, training);
            }

            public void backward(float[] dy, float[] dx, boolean accumulate) {
                c.backward(dy, cleared(dx, accumulate));
            }

            public void register(StateDict state) {
                registerBuffers(state, prefix, c.buffers());
                state.params(c.parameters());
                for (BatchNorm1d bn : new BatchNorm1d[] {c.bnU, c.bnM, c.bnH}) if (bn != null) state.norm(bn);
            }

            public Signal describe(Structure s, Signal x) {
                return s.spikingCell(prefix, c, x);
            }

            public Framed frames(FrameBuild build, Signal x) {
                return new Framed(c.frames(build, x.spiking()), Signal.spikes(c.fH, c.wH.outFeatures()));
            }

            public void neurons(List<Lif> out) {
                out.addAll(c.neurons());
            }
        };
    }

    /** Registers an LMU cell's buffers A, B, H (recomputed when a checkpoint omits them). */
    static void registerBuffers(StateDict state, String prefix, LmuBuffers buffers) {
        int d = buffers.memorySize();
        state.derivedBuffer(prefix + ".A", buffers.aBar(), d, d);
        state.derivedBuffer(prefix + ".B", buffers.bBar(), d, 1);
        state.derivedBuffer(prefix + ".H", buffers.impulseResponse(), d, buffers.length());
        state.onLoad(buffers::changed);
    }

    /** Steps applied in order. */
    static Op seq(Op... ops) {
        return new Seq(List.of(ops));
    }

    /** Steps applied in order. */
    static Op seq(List<? extends Op> ops) {
        return new Seq(List.copyOf(ops));
    }

    /** {@code x + branch(x)}, recorded for the profiler as {@code name}. */
    static Op residual(String name, Op branch) {
        return new Residual(name, branch);
    }

    /** A layer: what it registers by default is nothing; {@code rows} is set by forwards that need it for backward. */
    abstract class Leaf implements Op {
        private final int in;
        private final int out;
        int rows;

        Leaf(int in, int out) {
            this.in = in;
            this.out = out;
        }

        @Override
        public int inWidth() {
            return in;
        }

        @Override
        public int outWidth() {
            return out;
        }

        @Override
        public void register(StateDict state) {
        }

        /** dx, cleared first when the layer can only add into it but is asked to write. */
        float[] cleared(float[] dx, boolean accumulate) {
            if (dx != null && !accumulate) java.util.Arrays.fill(dx, 0, rows * in, 0f);
            return dx;
        }
    }

    /** A named part of a model (a patch embedding, a mixer) whose steps are one composition, {@link #body()}. */
    abstract class Composite implements Op {
        /** The composition. */
        abstract Op body();

        @Override
        public int inWidth() {
            return body().inWidth();
        }

        @Override
        public int outWidth() {
            return body().outWidth();
        }

        @Override
        public float[] forward(float[] x, int batch, int frames, boolean training) {
            return body().forward(x, batch, frames, training);
        }

        @Override
        public void backward(float[] dy, float[] dx, boolean accumulate) {
            body().backward(dy, dx, accumulate);
        }

        @Override
        public void register(StateDict state) {
            body().register(state);
        }

        @Override
        public Signal describe(Structure s, Signal x) {
            return body().describe(s, x);
        }

        @Override
        public Framed frames(FrameBuild build, Signal x) {
            return body().frames(build, x);
        }

        @Override
        public void neurons(List<Lif> out) {
            body().neurons(out);
        }
    }

    /** Steps in order; backward runs them in reverse, each writing its input gradient into a buffer of its own. */
    final class Seq implements Op {
        private final List<Op> ops;
        private final float[][] grads; // gradient at the input of op i, for i ≥ 1
        private int rows;

        Seq(List<Op> ops) {
            if (ops.isEmpty()) throw new IllegalArgumentException("an empty sequence");
            for (int i = 1; i < ops.size(); i++) {
                if (ops.get(i).inWidth() != ops.get(i - 1).outWidth()) {
                    throw new IllegalArgumentException("step " + i + " reads " + ops.get(i).inWidth() + " channels, step " + (i - 1)
                            + " gives " + ops.get(i - 1).outWidth());
                }
            }
            this.ops = ops;
            grads = new float[ops.size()][];
        }

        @Override
        public int inWidth() {
            return ops.get(0).inWidth();
        }

        @Override
        public int outWidth() {
            return ops.get(ops.size() - 1).outWidth();
        }

        @Override
        public float[] forward(float[] x, int batch, int frames, boolean training) {
            rows = batch * frames;
            float[] h = x;
            for (Op op : ops) h = op.forward(h, batch, frames, training);
            return h;
        }

        @Override
        public void backward(float[] dy, float[] dx, boolean accumulate) {
            float[] d = dy;
            for (int i = ops.size() - 1; i >= 1; i--) {
                grads[i] = Ops.ensure(grads[i], rows * ops.get(i).inWidth());
                ops.get(i).backward(d, grads[i], false);
                d = grads[i];
            }
            ops.get(0).backward(d, dx, accumulate);
        }

        @Override
        public void register(StateDict state) {
            for (Op op : ops) op.register(state);
        }

        @Override
        public Signal describe(Structure s, Signal x) {
            for (Op op : ops) x = op.describe(s, x);
            return x;
        }

        @Override
        public Framed frames(FrameBuild build, Signal x) {
            FrameLayer[] layers = new FrameLayer[ops.size()];
            int[] ends = new int[ops.size()];
            int[] buffers = new int[ops.size()];
            for (int i = 0; i < layers.length; i++) {
                Framed f = ops.get(i).frames(build, x);
                layers[i] = f.layer();
                ends[i] = build.delays();
                buffers[i] = build.scratch();
                x = f.out();
            }
            return new Framed(new SeqFrames(layers, ends, buffers), x);
        }

        @Override
        public void neurons(List<Lif> out) {
            for (Op op : ops) op.neurons(out);
        }
    }

    /**
     * Per-frame steps in order, each one's output in a scratch buffer of its own. When the end-of-stream
     * padding enters at a later convolution, the steps before it do not run: they have nothing left to give.
     */
    final class SeqFrames implements FrameLayer {
        private final FrameLayer[] layers;
        private final int[] ends;    // the convolutions up to and including layer i
        private final int[] buffers; // scratch for layer i's output

        SeqFrames(FrameLayer[] layers, int[] ends, int[] buffers) {
            this.layers = layers;
            this.ends = ends;
            this.buffers = buffers;
        }

        @Override
        public int in() {
            return layers[0].in();
        }

        @Override
        public int out() {
            return layers[layers.length - 1].out();
        }

        @Override
        public void step(FrameGroup g, float[] x, float[] y) {
            float[] in = x;
            int last = layers.length - 1;
            for (int i = 0; i <= last; i++) {
                if (g.padAt() >= ends[i]) continue;
                float[] out = i == last ? y : g.scratch(buffers[i], layers[i].out());
                layers[i].step(g, in, out);
                if (g.rows() == 0) return;
                in = out;
            }
        }
    }

    /** {@code y = x + branch(x)}. */
    final class Residual implements Op {
        private final String name;
        private final Op branch;
        private float[] out; // (B, N, C)
        private int rows;

        Residual(String name, Op branch) {
            if (branch.inWidth() != branch.outWidth()) throw new IllegalArgumentException(name + ": a residual branch must keep the width");
            this.name = name;
            this.branch = branch;
        }

        @Override
        public int inWidth() {
            return branch.inWidth();
        }

        @Override
        public int outWidth() {
            return branch.outWidth();
        }

        @Override
        public float[] forward(float[] x, int batch, int frames, boolean training) {
            rows = batch * frames;
            int n = rows * branch.outWidth();
            out = Ops.ensure(out, n);
            Ops.add(x, branch.forward(x, batch, frames, training), out, n);
            return out;
        }

        @Override
        public void backward(float[] dy, float[] dx, boolean accumulate) {
            int n = rows * branch.outWidth();
            if (dx != null) {
                if (accumulate) {
                    Ops.add(dx, dy, dx, n);
                } else {
                    System.arraycopy(dy, 0, dx, 0, n);
                }
            }
            branch.backward(dy, dx, true);
        }

        @Override
        public void register(StateDict state) {
            branch.register(state);
        }

        @Override
        public Signal describe(Structure s, Signal x) {
            return s.residual(name, x, branch.describe(s, x));
        }

        @Override
        public Framed frames(FrameBuild build, Signal x) {
            int first = build.delays();
            Framed b = branch.frames(build, x);
            int delays = build.delays() - first;
            int width = branch.outWidth();
            int slot = delays == 0 ? -1 : build.state(window -> new Skip((delays + 1) * width));
            return new Framed(new ResidualFrames(b.layer(), first, delays, slot, build.scratch()), x.plus(b.out()));
        }

        @Override
        public void neurons(List<Lif> out) {
            branch.neurons(out);
        }
    }

    /**
     * {@code y = x + branch(x)} per frame. A branch with d convolutions gives frame t's output with input
     * t + d, so each stream keeps its last d + 1 inputs (the skip path's delay line); padding that enters
     * inside the branch enters the delay line as zeros.
     */
    final class ResidualFrames implements FrameLayer {
        private final FrameLayer branch;
        private final int first;  // the branch's first convolution
        private final int delays; // convolutions in the branch
        private final int slot;   // the delay line, when delays > 0
        private final int buffer; // scratch for the branch's output

        ResidualFrames(FrameLayer branch, int first, int delays, int slot, int buffer) {
            this.branch = branch;
            this.first = first;
            this.delays = delays;
            this.slot = slot;
            this.buffer = buffer;
        }

        @Override
        public int in() {
            return branch.in();
        }

        @Override
        public int out() {
            return branch.out();
        }

        @Override
        public void step(FrameGroup g, float[] x, float[] y) {
            int w = branch.out();
            float[] b = g.scratch(buffer, w);
            if (delays == 0) {
                branch.step(g, x, b);
                for (int i = 0; i < g.rows() * w; i++) y[i] = x[i] + b[i];
                return;
            }
            boolean pad = g.padAt() >= first && g.padAt() < first + delays;
            for (int r = 0; r < g.rows(); r++) ((Skip) g.state(r, slot)).push(pad ? null : x, r * w, w);
            branch.step(g, x, b);
            for (int r = 0; r < g.rows(); r++) {
                Skip s = (Skip) g.state(r, slot);
                int o = s.oldest(delays + 1) * w;
                for (int j = 0; j < w; j++) y[r * w + j] = s.values[o + j] + b[r * w + j];
            }
        }
    }

    /** A stream's last d + 1 inputs of a residual, in a ring. */
    final class Skip implements FrameState {
        final float[] values;
        private long pushed;

        Skip(int n) {
            values = new float[n];
        }

        /** Adds {@code x[xo … xo+w)} (zeros for null) as the newest input. */
        void push(float[] x, int xo, int w) {
            int at = (int) (pushed++ % (values.length / w)) * w;
            if (x == null) {
                java.util.Arrays.fill(values, at, at + w, 0f);
            } else {
                System.arraycopy(x, xo, values, at, w);
            }
        }

        /** The ring position of the input pushed {@code length − 1} pushes before the newest. */
        int oldest(int length) {
            return (int) (pushed % length);
        }

        @Override
        public void clear() {
            java.util.Arrays.fill(values, 0f);
            pushed = 0;
        }
    }
}
