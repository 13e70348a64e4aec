#!/usr/bin/env bash
# Makes models/ARCH.safetensors from a training run's best checkpoint and prints the figures of the
# model card (models/README.md): the operating point chosen on the bundled validation streams, then
# clip accuracy on the rich set's test voices and on the bundled test split, and continuous spotting
# on the bundled test streams. WINDOW is the sliding readout's length in frames the operating point is
# chosen at (and stored with): 64 for the shipped LMUFormer, the window with the fewest substitutions
# among 24, 48, 64 and 96 whose validation recall, tuned for recall, is within 2 points of the best
# (models/README.md); the point itself is tuned for hits minus substitutions (eval --tune's default).
#   scripts/ship-model.sh runs/shipped-lmu lmu_rnn_conv1d keywords-rich 64
set -euo pipefail
if [ $# -ne 4 ]; then
  echo "usage: scripts/ship-model.sh RUN_DIR ARCH RICH_DATA_DIR WINDOW" >&2
  exit 2
fi
run="$1"; arch="$2"; rich="$3"; window="$4"
cd "$(dirname "$0")/.."
work="$run/ship"
mkdir -p "$work"
cp "$run/best.safetensors" "$work/float32.safetensors"
# the operating point (speech margin, threshold) travels in the checkpoint's metadata
./lmuformer eval --checkpoint "$work/float32.safetensors" --data data/keywords --split validation --stream --tune --window "$window" \
  --out "$work/validation-streams"
./lmuformer convert --half --input "$work/float32.safetensors" --output "models/$arch.safetensors"
ls -l "models/$arch.safetensors"
./lmuformer eval --checkpoint "models/$arch.safetensors" --data "$rich"
./lmuformer eval --checkpoint "models/$arch.safetensors" --data data/keywords
./lmuformer eval --checkpoint "models/$arch.safetensors" --data data/keywords --stream --out "$work/test-streams"
