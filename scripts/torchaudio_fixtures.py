#!/usr/bin/env python3
"""Writes the torchaudio fixtures of TorchaudioFbankTest (core/src/test/resources/torchaudio).

For each clip: a 16-bit wav at a rate other than 16 kHz, and the filterbank that
torchaudio.compliance.kaldi.fbank computes from it with the reference's arguments (REFERENCE.md §5),
once in float32 (what the reference runs) and once in float64 (the same algorithm without float32
rounding). Needs sox and torchaudio (Debian bookworm: apt-get install sox python3-torchaudio, which
is torchaudio 0.13.1 on PyTorch 1.13, the reference's versions).

usage: scripts/torchaudio_fixtures.py GOLDEN_WAV_DIR OUT_DIR
"""
import os
import subprocess
import sys

import numpy as np
import torchaudio

CLIPS = [("yes_en-us.wav", 48000), ("marvin_en-gb-f3.wav", 48000), ("seven_slow_1300ms.wav", 22050),
         ("backward_noisy.wav", 44100)]


def fbank(w, sr):
    return torchaudio.compliance.kaldi.fbank(w, htk_compat=True, sample_frequency=sr, use_energy=False,
                                             window_type="hanning", num_mel_bins=128, dither=0.0,
                                             frame_shift=10).numpy()


def main(src, out):
    os.makedirs(out, exist_ok=True)
    for name, rate in CLIPS:
        stem = f"{name[:-4]}_{rate}"
        wav = os.path.join(out, stem + ".wav")
        subprocess.run(["sox", os.path.join(src, name), "-r", str(rate), "-b", "16", wav], check=True)
        w, sr = torchaudio.load(wav)
        w = w[:1] - w[:1].mean()  # as the reference loads a clip
        np.save(os.path.join(out, stem + ".fbank32.npy"), fbank(w, sr).astype("<f4"))
        np.save(os.path.join(out, stem + ".fbank64.npy"), fbank(w.double(), sr).astype("<f4"))
        print(stem, sr)


if __name__ == "__main__":
    main(*sys.argv[1:3])
