#!/usr/bin/env bash
# Installs what scripts/reference_bench.py needs on Debian/Ubuntu: PyTorch 1.13 (python3-torch, for
# /usr/bin/python3) and OpenBLAS as the system BLAS (Debian's torch is built against the generic
# libblas.so.3; without OpenBLAS its matrix products run on the reference BLAS at ~4 GFLOP/s).
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; else sudo=""; fi
$sudo apt-get install -y python3-torch libopenblas0-pthread
/usr/bin/python3 -c 'import torch; print("torch", torch.__version__)'
