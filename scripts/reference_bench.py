"""Timing of the reference LMUFormer models in PyTorch, for comparison with the Java engine.

The models are re-typed from the written specification (/work/shared/REFERENCE.md, sections 1-5):
no code of the authors is in this file. They run the way the reference PyTorch implementation runs
them on a CPU: channels-first [B, C, N] tensors through nn.Conv1d / nn.BatchNorm1d, permuted to
[B, N, C] for the LMU cell, the LMU memory computed by FFT convolution, and LIF neurons stepped by a
Python loop over the sequence axis (as spikingjelly's multi-step LIF "torch" backend does).

Install PyTorch and OpenBLAS with scripts/install-reference.sh, then run it with the Debian
interpreter, which has PyTorch 1.13 (the `python3` on PATH here has no torch):

    /usr/bin/python3 scripts/reference_bench.py --check
    /usr/bin/python3 scripts/reference_bench.py --model lmu_rnn_conv1d --mode train --threads 2
    /usr/bin/python3 scripts/reference_bench.py --model psmnist_lmu --mode eval --json

A train iteration is model.train(); zero_grad; forward; loss; backward; optimizer.step(). An eval
iteration is model.eval() and a forward under torch.no_grad(). Inputs are seeded random normal data
and random class targets; samples_per_s = batch / median iteration time.
"""
import argparse
import json
import math
import os
import statistics
import sys
import time


def _prefer_avx512_blas():
    """Debian's OpenBLAS 0.3.21 takes a Zen 4 for a Haswell and runs AVX2 kernels (about 85 GFLOP/s
    on two threads here); its SkylakeX kernels use AVX-512 (about 115). The reference gets the faster
    one, even where the environment names another core type (this machine's sets Haswell): the
    comparison is against the reference at its best. Must run before torch loads OpenBLAS."""
    try:
        with open("/proc/cpuinfo") as f:
            avx512 = " avx512f" in f.read()
    except OSError:
        avx512 = False
    if avx512:
        os.environ["OPENBLAS_CORETYPE"] = "SkylakeX"
        # and ATen's own vector kernels (element-wise work) in their AVX-512 build, not the AVX2 default
        os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx512")


_prefer_avx512_blas()
import torch  # noqa: E402 (after the BLAS choice above)
import torch.nn as nn
import torch.nn.functional as F

# Trainable parameter counts the re-typed models must reproduce (REFERENCE.md §4).
EXPECTED_PARAMS = {"psmnist_lmu": 166_798, "lmu_rnn_conv1d": 1_621_796, "slmu_rnn_ms_conv1d": 1_689_894}

# Speech Commands setting (REFERENCE.md §4).
SC_FEATURES, SC_FRAMES, SC_DIM, SC_CLASSES, SC_THETA, SC_MLP_RATIO = 128, 128, 256, 35, 128, 4
# psMNIST setting (REFERENCE.md §4, "psMNIST models").
PS_FRAMES, PS_MEMORY, PS_THETA, PS_HIDDEN, PS_CLASSES = 784, 468, 784, 346, 10


# ---------------------------------------------------------------------------------------------
# LMU (REFERENCE.md §1)
# ---------------------------------------------------------------------------------------------

def lmu_matrices(d, theta):
    """Ā [d, d] and B̄ [d, 1] in float32: ZOH with dt = 1, expm([A B; 0 0]) taken in float64."""
    i = torch.arange(d, dtype=torch.float64).reshape(-1, 1)
    j = torch.arange(d, dtype=torch.float64).reshape(1, -1)
    scale = (2 * i + 1) / theta
    sign = torch.where(i < j, torch.tensor(-1.0, dtype=torch.float64), (-1.0) ** (i - j + 1))
    a = scale * sign                                     # [d, d]
    b = scale * (-1.0) ** i                              # [d, 1]
    block = torch.zeros(d + 1, d + 1, dtype=torch.float64)
    block[:d, :d] = a
    block[:d, d:] = b
    e = torch.linalg.matrix_exp(block)
    return e[:d, :d].float(), e[:d, d:].float()


def impulse_response(a_bar, b_bar, n):
    """H [d, n] with H[:, t] = Ā^t B̄, built in float32 by repeated products P <- Ā·P from P = I,
    as the reference does (not by matrix-vector steps: the float32 rounding differs)."""
    d = a_bar.shape[0]
    p = torch.eye(d, dtype=torch.float32)
    cols = []
    for _ in range(n):
        cols.append(p @ b_bar)
        p = a_bar @ p
    return torch.cat(cols, dim=1)


class LmuMemory(nn.Module):
    """The fixed part of an LMU cell: buffers A (Ā), B (B̄), H and fft_H = rfft(H, n=2N), and the
    causal convolution m_t = Σ_{j≤t} H[:, t-j] u_j computed as irfft(rfft(u, 2N)·fft_H)[:N]
    (zero-padded to 2N so the product is a linear, not circular, convolution)."""

    def __init__(self, d, theta, n):
        super().__init__()
        a_bar, b_bar = lmu_matrices(d, theta)
        h = impulse_response(a_bar, b_bar, n)
        self.n = n
        self.register_buffer("A", a_bar)
        self.register_buffer("B", b_bar)
        self.register_buffer("H", h)
        self.register_buffer("fft_H", torch.fft.rfft(h, n=2 * n, dim=-1))   # [d, N+1] complex

    def forward(self, u):
        """u [B, 1, N] -> m [B, d, N] (channels first)."""
        fft_u = torch.fft.rfft(u, n=2 * self.n, dim=-1)                     # [B, 1, N+1]
        return torch.fft.irfft(fft_u * self.fft_H, n=2 * self.n, dim=-1)[..., :self.n]


class LmuCell(nn.Module):
    """Non-spiking LMU cell over [B, N, I]: u = ReLU(W_u x), m = H * u, h = ReLU(W_h [m ; x])."""

    def __init__(self, input_size, hidden_size, memory_size, theta, n):
        super().__init__()
        self.W_u = nn.Linear(input_size, 1)
        self.W_h = nn.Linear(memory_size + input_size, hidden_size)
        self.memory = LmuMemory(memory_size, theta, n)

    def forward(self, x):
        """x [B, N, I] -> h [B, N, Hd]."""
        u = F.relu(self.W_u(x))                                 # [B, N, 1]
        m = self.memory(u.permute(0, 2, 1)).permute(0, 2, 1)    # [B, N, d]
        return F.relu(self.W_h(torch.cat([m, x], dim=-1)))      # memory first, then input


# ---------------------------------------------------------------------------------------------
# LIF (REFERENCE.md §2), stepped like spikingjelly's multi-step "torch" backend
# ---------------------------------------------------------------------------------------------

class SigmoidSpike(torch.autograd.Function):
    """Heaviside forward; sigmoid surrogate backward ds/dz = α σ(αz)(1 - σ(αz)), α = 4."""
    ALPHA = 4.0

    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        return (z >= 0).to(z.dtype)

    @staticmethod
    def backward(ctx, grad):
        (z,) = ctx.saved_tensors
        sg = torch.sigmoid(SigmoidSpike.ALPHA * z)
        return grad * SigmoidSpike.ALPHA * sg * (1.0 - sg)


class Lif(nn.Module):
    """Multi-step LIF (τ = 2, hard reset to 0, detached reset) over x [B, C, N]; the time axis is the
    sequence axis N. The sequence is made time-major [N, B, C] and stepped by a Python loop, one
    small tensor op chain per frame, which is how the reference pays for its neurons on a CPU.

    Indexing x_seq[t] inside the loop (rather than one torch.unbind) is deliberate: it is what the
    spikingjelly loop does, and its cost is part of what is measured. Autograd's backward of each
    x_seq[t] builds a zero gradient of the whole [N, B, C] sequence and adds it up, so the LIF
    backward costs O(N^2 B C) memory traffic; at N = 128 that dominates a spiking train step."""

    # "loop" indexes x_seq[t] as spikingjelly does; "unbind" splits the sequence once (one backward
    # for all frames), a faster reference than the original, selected with --lif unbind.
    frames = "loop"

    def __init__(self, v_threshold=1.0, tau=2.0):
        super().__init__()
        self.v_threshold = v_threshold
        self.tau = tau

    def forward(self, x):
        x_seq = x.permute(2, 0, 1).contiguous()                 # [N, B, C]
        v = torch.zeros_like(x_seq[0])
        spikes = []
        inputs = torch.unbind(x_seq) if Lif.frames == "unbind" else (x_seq[t] for t in range(x_seq.shape[0]))
        for x_t in inputs:
            h = v + (x_t - v) / self.tau
            s = SigmoidSpike.apply(h - self.v_threshold)
            v = h * (1.0 - s.detach())                          # gradient to h through (1 - s) only
            spikes.append(s)
        return torch.stack(spikes).permute(1, 2, 0).contiguous()   # [B, C, N]


# ---------------------------------------------------------------------------------------------
# psMNIST (REFERENCE.md §4, "psMNIST models")
# ---------------------------------------------------------------------------------------------

class PsmnistLmu(nn.Module):
    """conv1 (1->3, k=1) -> bn1 -> LMU cell (I = 3) -> mean over time -> dropout 0.4 -> classifier.
    PyTorch default initialisation throughout."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv1d(1, 3, kernel_size=1, bias=True)
        self.bn1 = nn.BatchNorm1d(3)
        self.lmu = LmuCell(3, PS_HIDDEN, PS_MEMORY, PS_THETA, PS_FRAMES)
        self.dropout = nn.Dropout(0.4)
        self.classifier = nn.Linear(PS_HIDDEN, PS_CLASSES)

    def forward(self, x):
        """x [B, N, 1] -> logits [B, 10]."""
        x = self.bn1(self.conv1(x.permute(0, 2, 1)))            # [B, 3, N]
        h = self.lmu(x.permute(0, 2, 1))                        # [B, N, Hd]
        return self.classifier(self.dropout(h.mean(dim=1)))


# ---------------------------------------------------------------------------------------------
# Speech Commands models (REFERENCE.md §4)
# ---------------------------------------------------------------------------------------------

def conv3(cin, cout):
    return nn.Conv1d(cin, cout, kernel_size=3, padding=1, bias=False)


def conv1x1(cin, cout):
    return nn.Conv1d(cin, cout, kernel_size=1, bias=True)


class SpeechCommandsModel(nn.Module):
    """Common frame: [B, N, F] -> patch_embed -> [B, C, N] -> blocks (x += attn(x); x += mlp(x)) ->
    optional head_bn -> LIF -> head at every frame -> mean over frames -> [B, classes]."""

    def __init__(self, patch_embed, blocks, head_neuron):
        super().__init__()
        self.patch_embed = patch_embed
        self.block = nn.ModuleList(blocks)
        if head_neuron:
            self.head_bn = nn.BatchNorm1d(SC_DIM)
            self.head_lif = Lif()
        else:
            self.head_bn = None
        self.head = nn.Linear(SC_DIM, SC_CLASSES)
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(m):
        # §4 Initialisation: every nn.Linear gets trunc_normal(std 0.02) weights and zero bias;
        # convolutions and batch norms keep PyTorch's defaults.
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.patch_embed(x.permute(0, 2, 1))                # [B, C, N]
        for blk in self.block:
            x = x + blk.attn(x)
            x = x + blk.mlp(x)
        if self.head_bn is not None:
            x = self.head_lif(self.head_bn(x))
        return self.head(x.permute(0, 2, 1)).mean(dim=1)        # [B, N, classes] -> [B, classes]


class Block(nn.Module):
    def __init__(self, attn, mlp):
        super().__init__()
        self.attn = attn
        self.mlp = mlp


# --- lmu_rnn_conv1d (non-spiking LMUFormer) ---

class ConvPatchEmbed(nn.Module):
    """conv_layers.{i}: Conv1d k3 (F->C, then C->C) at .0, ReLU, BatchNorm at .3; then x + rpe_conv(x).
    The spec names only .0 and .3; the parameter-free slots .1 and .2 are filled with ReLU and an
    identity so that the state-dict names line up (what sits there costs nothing either way)."""

    def __init__(self, features, dim):
        super().__init__()
        self.conv_layers = nn.ModuleList(
            nn.Sequential(conv3(features if i == 0 else dim, dim), nn.ReLU(), nn.Identity(), nn.BatchNorm1d(dim))
            for i in range(4))
        self.rpe_conv = conv3(dim, dim)

    def forward(self, x):
        for layer in self.conv_layers:
            x = layer(x)
        return x + self.rpe_conv(x)


class LmuAttn(nn.Module):
    """The LMU cell (I = Hd = d = C) over [B, N, C], then proj_conv (1x1) and proj_bn."""

    def __init__(self, dim, theta, n):
        super().__init__()
        self.lmu = LmuCell(dim, dim, dim, theta, n)
        self.proj_conv = conv1x1(dim, dim)
        self.proj_bn = nn.BatchNorm1d(dim)

    def forward(self, x):
        h = self.lmu(x.permute(0, 2, 1)).permute(0, 2, 1)       # [B, C, N]
        return self.proj_bn(self.proj_conv(h))


class ConvMlp(nn.Module):
    """fc1_conv (C->4C) -> fc1_bn -> GELU (erf) -> fc2_conv (4C->C) -> fc2_bn -> ReLU."""

    def __init__(self, dim, ratio):
        super().__init__()
        self.fc1_conv = conv1x1(dim, ratio * dim)
        self.fc1_bn = nn.BatchNorm1d(ratio * dim)
        self.fc2_conv = conv1x1(ratio * dim, dim)
        self.fc2_bn = nn.BatchNorm1d(dim)

    def forward(self, x):
        x = F.gelu(self.fc1_bn(self.fc1_conv(x)))
        return F.relu(self.fc2_bn(self.fc2_conv(x)))


def lmu_rnn_conv1d():
    blocks = [Block(LmuAttn(SC_DIM, SC_THETA, SC_FRAMES), ConvMlp(SC_DIM, SC_MLP_RATIO))]
    return SpeechCommandsModel(ConvPatchEmbed(SC_FEATURES, SC_DIM), blocks, head_neuron=False)


# --- slmu_rnn_ms_conv1d (Spiking LMUFormer, membrane shortcuts) ---

class SpikingPatchEmbed(nn.Module):
    """proj_conv -> bn -> LIF -> proj_conv1 -> bn1 -> LIF -> proj_conv2 -> bn2 -> LIF -> proj_conv3 = y;
    output y + rpe_conv(LIF(proj_bn3(y))) (real-valued)."""

    def __init__(self, features, dim):
        super().__init__()
        self.proj_conv, self.proj_bn, self.proj_lif = conv3(features, dim), nn.BatchNorm1d(dim), Lif()
        self.proj_conv1, self.proj_bn1, self.proj_lif1 = conv3(dim, dim), nn.BatchNorm1d(dim), Lif()
        self.proj_conv2, self.proj_bn2, self.proj_lif2 = conv3(dim, dim), nn.BatchNorm1d(dim), Lif()
        self.proj_conv3 = conv3(dim, dim)
        self.proj_bn3, self.proj_lif3 = nn.BatchNorm1d(dim), Lif()
        self.rpe_conv = conv3(dim, dim)

    def forward(self, x):
        x = self.proj_lif(self.proj_bn(self.proj_conv(x)))
        x = self.proj_lif1(self.proj_bn1(self.proj_conv1(x)))
        x = self.proj_lif2(self.proj_bn2(self.proj_conv2(x)))
        y = self.proj_conv3(x)
        return y + self.rpe_conv(self.proj_lif3(self.proj_bn3(y)))


class SpikingLmuCell(nn.Module):
    """Spiking LMU cell over spikes x [B, C, N], d = memory_size:
    u = LIF(bn_u(W_u x)); m = H * u; m -> bn_m -> LIF; h = LIF(bn_h(W_h [m_spikes ; x]))."""

    def __init__(self, dim, memory_size, theta, n):
        super().__init__()
        self.W_u = nn.Linear(dim, 1)
        self.bn_u = nn.BatchNorm1d(1)
        self.lif_u = Lif()
        self.memory = LmuMemory(memory_size, theta, n)
        self.bn_m = nn.BatchNorm1d(memory_size)
        self.lif_m = Lif()
        self.W_h = nn.Linear(memory_size + dim, dim)
        self.bn_h = nn.BatchNorm1d(dim)
        self.lif_h = Lif()

    def forward(self, x):
        """x [B, C, N] -> h spikes [B, C, N]."""
        u = self.W_u(x.permute(0, 2, 1)).permute(0, 2, 1)       # [B, 1, N]
        u = self.lif_u(self.bn_u(u))
        m = self.lif_m(self.bn_m(self.memory(u)))              # [B, d, N]
        h = self.W_h(torch.cat([m, x], dim=1).permute(0, 2, 1)).permute(0, 2, 1)   # [B, C, N]
        return self.lif_h(self.bn_h(h))


class SpikingLmuAttn(nn.Module):
    """prev_bn -> LIF (v_th 0.5) -> spiking LMU cell (d = 2C) -> proj_conv (1x1) -> proj_bn."""

    def __init__(self, dim, theta, n):
        super().__init__()
        self.prev_bn = nn.BatchNorm1d(dim)
        self.prev_lif = Lif(v_threshold=0.5)
        self.lmu = SpikingLmuCell(dim, 2 * dim, theta, n)
        self.proj_conv = conv1x1(dim, dim)
        self.proj_bn = nn.BatchNorm1d(dim)

    def forward(self, x):
        h = self.lmu(self.prev_lif(self.prev_bn(x)))
        return self.proj_bn(self.proj_conv(h))


class SpikingMlp(nn.Module):
    """fc1_bn -> LIF -> fc1_conv (C->4C) -> fc2_bn -> LIF -> fc2_conv (4C->C)."""

    def __init__(self, dim, ratio):
        super().__init__()
        self.fc1_bn, self.fc1_lif = nn.BatchNorm1d(dim), Lif()
        self.fc1_conv = conv1x1(dim, ratio * dim)
        self.fc2_bn, self.fc2_lif = nn.BatchNorm1d(ratio * dim), Lif()
        self.fc2_conv = conv1x1(ratio * dim, dim)

    def forward(self, x):
        x = self.fc1_conv(self.fc1_lif(self.fc1_bn(x)))
        return self.fc2_conv(self.fc2_lif(self.fc2_bn(x)))


def slmu_rnn_ms_conv1d():
    blocks = [Block(SpikingLmuAttn(SC_DIM, SC_THETA, SC_FRAMES), SpikingMlp(SC_DIM, SC_MLP_RATIO))]
    return SpeechCommandsModel(SpikingPatchEmbed(SC_FEATURES, SC_DIM), blocks, head_neuron=True)


# ---------------------------------------------------------------------------------------------
# Benchmark harness
# ---------------------------------------------------------------------------------------------

MODELS = {"psmnist_lmu": PsmnistLmu, "lmu_rnn_conv1d": lmu_rnn_conv1d, "slmu_rnn_ms_conv1d": slmu_rnn_ms_conv1d}


def trainable_params(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def make_task(name, model, batch, gen):
    """Seeded random inputs and targets, the loss function and the optimiser of the model's recipe."""
    if name == "psmnist_lmu":
        x = torch.randn(batch, PS_FRAMES, 1, generator=gen)
        target = torch.randint(PS_CLASSES, (batch,), generator=gen)
        loss_fn = nn.CrossEntropyLoss()
        optimizer = torch.optim.Adam(model.parameters())                 # defaults: lr 1e-3, (0.9, 0.999)
    else:
        x = torch.randn(batch, SC_FRAMES, SC_FEATURES, generator=gen)
        labels = torch.randint(SC_CLASSES, (batch,), generator=gen)
        target = F.one_hot(labels, SC_CLASSES).float()                   # §5: BCEWithLogits on one-hot
        loss_fn = nn.BCEWithLogitsLoss()
        optimizer = torch.optim.Adam(model.parameters(), lr=2.5e-3, betas=(0.95, 0.999))
    return x, target, loss_fn, optimizer


def train_step(model, x, target, loss_fn, optimizer):
    model.train()
    optimizer.zero_grad()
    loss = loss_fn(model(x), target)
    loss.backward()
    optimizer.step()
    return loss


def eval_step(model, x):
    model.eval()
    with torch.no_grad():
        return model(x)


def _blas_info():
    """The BLAS torch was built against, from its build configuration (Debian's says "generic": the
    system libblas.so.3, OpenBLAS when libopenblas0-pthread is installed)."""
    config = torch.__config__.show()
    start = config.find("BLAS_INFO=")
    return config[start + len("BLAS_INFO="):].split(",")[0] if start >= 0 else "unknown"


def bench(args):
    Lif.frames = args.lif
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1234)
    model = MODELS[args.model]()
    batch = args.batch or (100 if args.model == "psmnist_lmu" else (128 if args.mode == "train" else 256))
    x, target, loss_fn, optimizer = make_task(args.model, model, batch, gen)

    def step():
        if args.mode == "train":
            train_step(model, x, target, loss_fn, optimizer)
        else:
            eval_step(model, x)

    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.iterations):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)

    median = statistics.median(times)
    result = {"model": args.model, "mode": args.mode, "batch": batch, "threads": args.threads,
              "iterations": args.iterations, "median_s": median, "min_s": min(times), "max_s": max(times),
              "samples_per_s": batch / median, "torch": torch.__version__,
              "blas": _blas_info(), "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
              "aten_cpu_capability": os.environ.get("ATEN_CPU_CAPABILITY"), "lif": args.lif,
              "impl": "reference re-typed from REFERENCE.md"}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{args.model} {args.mode} batch {batch} threads {args.threads}: median {median:.4f} s "
              f"(min {min(times):.4f}, max {max(times):.4f}) over {args.iterations} iterations, "
              f"{batch / median:.1f} samples/s, torch {torch.__version__}")
        print("iteration times (s): " + " ".join(f"{t:.4f}" for t in times), file=sys.stderr)


def check():
    """Parameter counts, a finite forward+backward at batch 2 for every model, and FFT memory equal
    to the recurrence m_t = Ā m_{t-1} + B̄ u_t on a small case."""
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1234)
    for name, build in MODELS.items():
        model = build()
        count = trainable_params(model)
        print(f"{name}: {count:,} trainable parameters (expected {EXPECTED_PARAMS[name]:,})")
        assert count == EXPECTED_PARAMS[name], f"{name}: {count} != {EXPECTED_PARAMS[name]}"
        x, target, loss_fn, optimizer = make_task(name, model, 2, gen)
        loss = train_step(model, x, target, loss_fn, optimizer)
        assert math.isfinite(loss.item()), f"{name}: loss {loss.item()}"
        grads = [p.grad for p in model.parameters() if p.requires_grad]
        assert all(g is not None and torch.isfinite(g).all() for g in grads), f"{name}: bad gradient"
        logits = eval_step(model, x)
        assert torch.isfinite(logits).all(), f"{name}: eval logits not finite"
        print(f"  train loss at batch 2: {loss.item():.6f}; eval logits {tuple(logits.shape)} finite")

    mem = LmuMemory(64, 128.0, 128)
    u = torch.randn(2, 1, 128, generator=gen)
    m_fft = mem(u)
    m = torch.zeros(2, 64)
    rec = []
    for t in range(128):
        m = m @ mem.A.T + u[:, :, t] * mem.B.T
        rec.append(m)
    err = (m_fft - torch.stack(rec, dim=-1)).abs().max().item()
    print(f"FFT memory vs recurrence (d 64, N 128): max abs difference {err:.2e}")
    assert err < 1e-4, err
    print("check passed")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", choices=sorted(MODELS), default="lmu_rnn_conv1d")
    p.add_argument("--mode", choices=["train", "eval"], default="train")
    p.add_argument("--batch", type=int, default=None,
                   help="default 100 for psmnist_lmu, else 128 (train) / 256 (eval)")
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    p.add_argument("--warmup", type=int, default=3, help="untimed iterations first (default 3)")
    p.add_argument("--iterations", type=int, default=7, help="timed iterations (default 7)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--lif", choices=["loop", "unbind"], default="loop",
                   help="how LIF neurons read their frames: loop (x_seq[t], as spikingjelly; its backward costs "
                        "O(N^2)) or unbind (one split, a faster reference than the original); default loop")
    p.add_argument("--check", action="store_true",
                   help="check parameter counts and a finite forward+backward of every model, then exit")
    args = p.parse_args(argv)
    if args.check:
        torch.set_num_threads(args.threads)
        check()
        return 0
    if args.batch is not None and args.batch < 1 or args.iterations < 1 or args.warmup < 0 or args.threads < 1:
        p.error("--batch, --iterations and --threads must be positive, --warmup non-negative")
    bench(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
