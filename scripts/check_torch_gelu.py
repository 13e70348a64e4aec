"""Checks whether this PyTorch build computes GELU's input gradient correctly for a non-contiguous
incoming gradient (the case the reference's MLP produces). Debian's float32 CPU build of PyTorch 1.13
does not; training the unmodified reference on such a build fails (docs/performance.md).

Usage: /usr/bin/python3 scripts/check_torch_gelu.py   (exit status 1 when the build is affected)
"""
import sys

import torch


def relative_error(dtype, approximate, contiguous):
    torch.manual_seed(0)
    x = torch.randn(64, 64, dtype=dtype, requires_grad=True)
    g = torch.randn(64, 64, dtype=dtype).t()  # a transposed, hence non-contiguous, incoming gradient
    if contiguous:
        g = g.contiguous()
    (dx,) = torch.autograd.grad(torch.nn.functional.gelu(x, approximate=approximate), x, g)
    # the same gradient in float64 from its formula
    xd, gd = x.detach().double(), g.double()
    if approximate == "none":
        slope = 0.5 * (1 + torch.erf(xd / 2 ** 0.5)) + xd * torch.exp(-xd * xd / 2) / (2 * torch.pi) ** 0.5
    else:
        k = (2 / torch.pi) ** 0.5
        t = torch.tanh(k * (xd + 0.044715 * xd ** 3))
        slope = 0.5 * (1 + t) + 0.5 * xd * (1 - t * t) * k * (1 + 3 * 0.044715 * xd * xd)
    exact = gd * slope
    return ((dx.double() - exact).norm() / exact.norm()).item()


def main():
    print("torch", torch.__version__)
    bad = False
    for dtype in (torch.float32, torch.float64):
        for approximate in ("none", "tanh"):
            for contiguous in (True, False):
                e = relative_error(dtype, approximate, contiguous)
                ok = e < (1e-5 if dtype == torch.float32 else 1e-12)
                bad |= not ok
                print(f"{str(dtype):14} approximate={approximate:4} {'contiguous' if contiguous else 'transposed':10} gradient:"
                      f" relative L2 error {e:.1e} {'ok' if ok else 'WRONG'}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
