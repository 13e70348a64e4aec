#!/usr/bin/env python3
"""Generates a small keyword-spotting set in the Speech Commands V2 layout (REFERENCE.md §5).

The 35 Speech Commands words are spoken by espeak-ng in varied accents, voice variants, pitches
and speeds, resampled to 16 kHz with sox, placed at a random offset in a 1 s clip over quiet noise
and written as 16-bit mono WAV. Like Speech Commands, each "speaker" (one voice with its own
pitch, speed and noise level) says every word, files are named <speaker>_nohash_0.wav, and the
validation and test lists hold whole speakers, so no speaker is in two splits.
_background_noise_ gets generated white, pink and brown noise and a mains hum.

Deterministic given --seed and the espeak-ng and sox versions; re-running replaces the output.
Needs espeak-ng and sox (Debian: apt-get install -y espeak-ng sox) and only the Python 3 standard
library. The committed set in data/keywords was made with the defaults:

    python3 data/generate_keywords.py --out data/keywords --speakers 14 --seed 1
"""
import argparse
import array
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import wave

RATE = 16000
CLIP = RATE  # 1 s, as in Speech Commands

# The label order of reference/speechcommands_class_labels_indices.csv.
WORDS = ["backward", "follow", "five", "bed", "zero", "on", "learn", "two", "house", "tree", "dog",
         "stop", "seven", "eight", "down", "six", "forward", "cat", "right", "visual", "four", "wow",
         "no", "nine", "off", "three", "left", "marvin", "yes", "up", "sheila", "happy", "bird", "go",
         "one"]

# espeak-ng's own English voices (no mbrola): eight accents.
ACCENTS = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd",
           "en-029", "en-us-nyc"]
# Voice variants: male, female and formant-synthesis (klatt) timbres.
VARIANTS = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5", "klatt",
            "klatt2", "klatt3", "klatt4", "croak"]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default="data/keywords", help="output folder (replaced)")
    p.add_argument("--speakers", type=int, default=14, help="number of synthetic speakers")
    p.add_argument("--seed", type=int, default=1, help="random seed")
    p.add_argument("--val-fraction", type=float, default=0.15, help="share of speakers in validation")
    p.add_argument("--test-fraction", type=float, default=0.15, help="share of speakers in test")
    p.add_argument("--noise-seconds", type=float, default=5.0, help="length of each background noise file")
    a = p.parse_args()
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found (Debian: apt-get install -y espeak-ng sox)")
    if a.speakers < 3:
        sys.exit("need at least 3 speakers (train, validation, test)")

    rng = random.Random(a.seed)
    speakers = draw_speakers(rng, a.speakers)
    val, test = split_speakers(rng, speakers, a.val_fraction, a.test_fraction)

    if os.path.isdir(a.out):
        shutil.rmtree(a.out)
    os.makedirs(a.out)
    val_list, test_list = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for word in WORDS:
            os.makedirs(os.path.join(a.out, word))
            for s in speakers:
                # Per-clip jitter around the speaker's own pitch and speed, as a person varies.
                pitch = min(99, max(0, s["pitch"] + rng.randint(-8, 8)))
                speed = max(80, s["speed"] + rng.randint(-20, 20))
                speech = synthesise(word, s["voice"], pitch, speed, tmp)
                clip = place(speech, rng, s["noise_db"])
                rel = f"{word}/{s['id']}_nohash_0.wav"
                write_wav(os.path.join(a.out, rel), clip)
                if s["id"] in val:
                    val_list.append(rel)
                elif s["id"] in test:
                    test_list.append(rel)
    write_list(os.path.join(a.out, "validation_list.txt"), val_list)
    write_list(os.path.join(a.out, "testing_list.txt"), test_list)
    write_noise(os.path.join(a.out, "_background_noise_"), rng, int(a.noise_seconds * RATE))
    total = len(WORDS) * a.speakers
    print(f"{a.out}: {total} clips ({total - len(val_list) - len(test_list)} train, "
          f"{len(val_list)} validation, {len(test_list)} test), seed {a.seed}")


def draw_speakers(rng, n):
    """n speakers with distinct 8-hex-digit ids, each a voice (accent+variant) with its own pitch,
    speed and noise level; draws from rng in a fixed order (generate_rich_keywords.py replays it)."""
    speakers = []
    seen = set()
    for i in range(n):
        sid = f"{rng.getrandbits(32):08x}"
        while sid in seen:
            sid = f"{rng.getrandbits(32):08x}"
        seen.add(sid)
        speakers.append({
            "id": sid,
            "voice": ACCENTS[i % len(ACCENTS)] + "+" + rng.choice(VARIANTS),
            "pitch": rng.randint(20, 80),
            "speed": rng.randint(140, 220),
            "noise_db": rng.uniform(-55, -30),
        })
    return speakers


def split_speakers(rng, speakers, val_fraction, test_fraction):
    """The ids of the validation and test speakers (whole speakers), drawn from rng after draw_speakers."""
    n_val = max(1, round(len(speakers) * val_fraction))
    n_test = max(1, round(len(speakers) * test_fraction))
    order = list(range(len(speakers)))
    rng.shuffle(order)
    val = {speakers[i]["id"] for i in order[:n_val]}
    test = {speakers[i]["id"] for i in order[n_val:n_val + n_test]}
    return val, test


def synthesise(word, voice, pitch, speed, tmp):
    """espeak-ng to a WAV at its native rate, then sox to 16 kHz 16-bit mono (no dither, guarded against clipping)."""
    raw = os.path.join(tmp, "raw.wav")
    out = os.path.join(tmp, "16k.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-p", str(pitch), "-s", str(speed), "-w", raw, word], check=True)
    subprocess.run(["sox", "-D", "-G", raw, "-r", str(RATE), "-b", "16", "-c", "1", out], check=True)
    with wave.open(out, "rb") as w:
        samples = array.array("h", w.readframes(w.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    return [x / 32768.0 for x in samples]


def place(speech, rng, noise_db):
    """Trims silence, scales to a random peak, puts the word at a random offset in 1 s over noise."""
    peak = max(abs(x) for x in speech) or 1.0
    on = [i for i, x in enumerate(speech) if abs(x) > 0.02 * peak]
    speech = speech[on[0]:on[-1] + 1] if on else speech
    speech = speech[:CLIP]
    gain = rng.uniform(0.3, 0.9) / peak
    start = rng.randint(0, CLIP - len(speech))
    sigma = 10 ** (noise_db / 20)
    clip = [rng.gauss(0.0, sigma) for _ in range(CLIP)]
    for i, x in enumerate(speech):
        clip[start + i] += gain * x
    return clip


def write_noise(folder, rng, n):
    """White, pink (Voss-McCartney, 16 rows), brown (leaky integrator) noise and a 50 Hz hum."""
    os.makedirs(folder)
    white = [rng.uniform(-1, 1) for _ in range(n)]
    rows = [rng.uniform(-1, 1) for _ in range(16)]
    pink = []
    for i in range(n):
        k = (i & -i).bit_length() - 1 if i else 0  # the row to update: trailing zeros of i
        rows[k % 16] = rng.uniform(-1, 1)
        pink.append(sum(rows) / 16)
    brown, b = [], 0.0
    for _ in range(n):
        b = 0.995 * b + 0.05 * rng.uniform(-1, 1)
        brown.append(b)
    hum = [sum(math.sin(2 * math.pi * 50 * h * i / RATE) / h for h in (1, 2, 3, 5)) + 0.05 * rng.uniform(-1, 1)
           for i in range(n)]
    for name, x in (("white_noise", white), ("pink_noise", pink), ("brown_noise", brown), ("mains_hum", hum)):
        peak = max(abs(v) for v in x) or 1.0
        write_wav(os.path.join(folder, name + ".wav"), [0.5 * v / peak for v in x])


def write_wav(path, samples):
    pcm = array.array("h", (max(-32768, min(32767, round(x * 32768))) for x in samples))
    if sys.byteorder == "big":
        pcm.byteswap()
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())


def write_list(path, entries):
    with open(path, "w") as f:
        f.writelines(e + "\n" for e in sorted(entries))


if __name__ == "__main__":
    main()
