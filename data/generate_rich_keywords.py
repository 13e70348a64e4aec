#!/usr/bin/env python3
"""Generates a large synthetic keyword-spotting set in the Speech Commands V2 layout, for training a model.

The 35 Speech Commands words are spoken by every English voice of three synthesisers: espeak-ng
(each English accent, mbrola excluded, alone and with each voice variant but "fast_test": one
accent+variant pair is one voice), flite (its voices but the talking-clock "awb_time") and festival
(its voices under voices/english, voices/us or voices/british). A voice is a speaker in the Speech
Commands sense; validation and test hold whole voices, and a real speaker behind several synthesiser
voices (kal, slt) is kept within one split. The voices of data/keywords' validation and test
speakers (replayed from generate_keywords.py's seed-1 draw) are put in this set's validation and
test, never in training, so a model trained here meets them as unseen voices.

Every clip gets its own speed, pitch and level: espeak-ng -s (words per minute) and -p; flite
duration_stretch and int_f0_target_mean; festival synthesises each word once per voice and sox
tempo and pitch perturb it (festival's HTS voice ignores Duration_Stretch). Level is a gain on the
finished clip (espeak-ng -a would be undone by the peak scaling of placing). Speech is resampled to
16 kHz 16-bit mono, a share is put in a simulated room (sox reverb: reverberance, HF damping, room
scale, pre-delay, wet gain), trimmed, placed at a random offset in 1 s over a quiet floor, and a share
gets background noise at a random SNR (speech RMS over the word against noise RMS) from the noise
files below. Files are <word>/<voice>_nohash_<k>.wav, k counting that voice's clips of the word.

_background_noise_ (several minutes, for the training's background_share examples and for mixing)
holds white, pink, brown noise and 50 Hz hum as in generate_keywords.py, 60 Hz buzz, fans, engines,
traffic, rain, kitchen clatter, music-like chords, babble of 3 to 12 overlapping streams of
unrelated synthetic speech from training voices (none of the 35 words), and roomy versions.
manifest.tsv lists every clip: path, split, synthesiser, voice, speed, pitch, volume (peak dBFS),
snr_db (or none), noise file (or none), reverb parameters (or none); summary.txt is the printed summary.

Deterministic given --seed and the synthesiser and sox versions (espeak-ng 1.51, flite 2.2,
festival 2.5.0, sox 14.4.2 on Debian 12 made the reference run): each clip's random numbers come
from (seed, word, clip index), so --jobs does not change the result; re-running replaces the output.
Needs the Python 3 standard library and, on Debian:

    apt-get install -y espeak-ng sox flite festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts

Default run (2,000 clips per word, 70,000 in all):

    python3 data/generate_rich_keywords.py --out keywords-rich --seed 1
"""
import argparse
import array
import collections
import hashlib
import math
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import wave

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_keywords import (CLIP, RATE, WORDS, draw_speakers, place, split_speakers,  # noqa: E402
                               write_list, write_noise, write_wav)

NOISE_DIR = "_background_noise_"
# Excluded: a variant file that only tests espeak-ng's speed limit (its timbre is the base voice's),
# and flite's limited-domain voice that can only say clock times.
EXCLUDED_VARIANTS = {"fast": "fast_test: a speed test, the base voice's timbre"}
EXCLUDED_FLITE = {"awb_time": "limited domain (speaks clock times only)"}
FESTIVAL_ENGLISH_DIRS = ("english", "us", "british")
# Synthesiser voices built from one recorded person: kept in one split, so that person is unseen.
PERSON = {"flite:kal": "kal", "flite:kal16": "kal", "festival:kal_diphone": "kal",
          "flite:slt": "slt", "festival:cmu_us_slt_arctic_hts": "slt"}
# flite's int_f0_target_mean is absolute: each voice's own mean (measured on its output), to shift from.
FLITE_F0 = {"kal": 100.0, "kal16": 100.0, "awb": 140.0, "rms": 90.0, "slt": 160.0}
FLITE_F0_DEFAULT = 120.0
# Longest word kept at its drawn speed; a longer one is sped up (sox tempo) to FIT so it fits in 1 s.
FIT = int(0.9 * RATE)
TOO_LONG = int(0.95 * RATE)
# Babble text: no keyword as a word, and no keyword of three or more letters inside a word.
BABBLE = ("the weather report said that morning traffic was heavy near the station because a signal "
          "failed and many people waited for a bus while a baker sold warm bread at a small "
          "market where children laughed about a funny film they watched last week with their "
          "parents who were talking about holidays by the sea and the price of fresh fruit this "
          "summer as a man asked for directions to the museum and a woman answered politely that "
          "it was just around the corner past the library and the big bank with glass walls then "
          "a bell rang somewhere and music played from a car radio while rain began to fall "
          "slowly over the city gardens and quiet lanes full of shops selling shoes books and "
          "flowers to tourists from many countries").split()
assert not [w for w in BABBLE if w in WORDS or any(len(k) > 2 and k in w for k in WORDS)], "a keyword in BABBLE"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", required=True, help="output folder (replaced)")
    p.add_argument("--seed", type=int, default=1, help="random seed")
    p.add_argument("--clips-per-word", type=int, default=2000, help="clips of each of the 35 words")
    p.add_argument("--jobs", type=int, default=2, help="worker processes (the result does not depend on it)")
    p.add_argument("--synths", default="espeak,flite,festival", help="comma-separated synthesisers to use")
    p.add_argument("--natural-weight", type=int, default=10,
                   help="clips of a flite or festival voice per clip of an espeak-ng voice (they sound more natural)")
    p.add_argument("--val-fraction", type=float, default=0.1, help="share of voices in validation")
    p.add_argument("--test-fraction", type=float, default=0.1, help="share of voices in test")
    p.add_argument("--clean-share", type=float, default=0.25, help="share of clips without background noise")
    p.add_argument("--snr", type=float, nargs=2, default=(5.0, 40.0), metavar=("MIN", "MAX"), help="SNR range, dB")
    p.add_argument("--reverb-share", type=float, default=0.4, help="share of clips in a simulated room")
    p.add_argument("--noise-seconds", type=float, default=20.0, help="length of each background noise file")
    p.add_argument("--bundled-seed", type=int, default=1, help="--seed of data/keywords (its held-out voices stay out of training)")
    p.add_argument("--bundled-speakers", type=int, default=14, help="--speakers of data/keywords")
    a = p.parse_args()
    synths = [s for s in a.synths.split(",") if s]
    if not synths or set(synths) - {"espeak", "flite", "festival"}:
        sys.exit(f"--synths: choose from espeak, flite, festival, got {a.synths!r}")
    if a.clips_per_word < 1:
        sys.exit("--clips-per-word must be at least 1")
    if a.jobs < 1:
        sys.exit("--jobs must be at least 1")
    check_tools(synths)

    voices = inventory(synths)
    per_synth = collections.Counter(v["synth"] for v in voices)
    print(f"voices: {len(voices)} (" + ", ".join(f"{k} {n}" for k, n in per_synth.items()) + "); excluded: "
          + "; ".join(f"espeak-ng variant {k} ({w})" for k, w in EXCLUDED_VARIANTS.items()) + "; "
          + "; ".join(f"flite {k} ({w})" for k, w in EXCLUDED_FLITE.items()) + "; espeak-ng mbrola voices (need mbrola)")
    bundled_val, bundled_test = bundled_held_out(a.bundled_seed, a.bundled_speakers)
    print(f"bundled data/keywords (seed {a.bundled_seed}, {a.bundled_speakers} speakers) held-out voices: "
          f"validation {', '.join(sorted(bundled_val))}; test {', '.join(sorted(bundled_test))}")
    split = assign_splits(voices, a, bundled_val, bundled_test)
    by_id = {v["id"]: v for v in voices}
    tasks = allocate(voices, a)

    if os.path.isdir(a.out):
        shutil.rmtree(a.out)
    os.makedirs(a.out)
    t0 = time.time()
    train_voices = [v for v in voices if split[v["id"]] == "train"]
    noise_files = make_noise(os.path.join(a.out, NOISE_DIR), a, train_voices)
    print(f"{NOISE_DIR}: {len(noise_files)} files, {len(noise_files) * a.noise_seconds:.0f} s "
          f"({time.time() - t0:.0f} s)", flush=True)
    for word in WORDS:
        os.makedirs(os.path.join(a.out, word))

    rows = []
    total = sum(len(t[2]) for t in tasks)
    t1 = time.time()
    ctx = multiprocessing.get_context("fork")
    init = (a.out, noise_files, vars(a))
    with ctx.Pool(a.jobs, initializer=worker_init, initargs=init) as pool:
        tasks = [(w, by_id[vid], clips) for w, vid, clips in tasks]
        for done in pool.imap_unordered(run_task, tasks, chunksize=4):
            rows.extend(done)
            if len(rows) // 1000 != (len(rows) - len(done)) // 1000 or len(rows) == total:
                rate = len(rows) / max(1e-9, time.time() - t1)
                print(f"{len(rows)}/{total} clips, {rate:.1f}/s, about {(total - len(rows)) / rate / 60:.0f} min left",
                      flush=True)
    for r in rows:
        r["split"] = split[r["voice_id"]]
    rows.sort(key=lambda r: r["path"])
    write_list(os.path.join(a.out, "validation_list.txt"), [r["path"] for r in rows if r["split"] == "validation"])
    write_list(os.path.join(a.out, "testing_list.txt"), [r["path"] for r in rows if r["split"] == "test"])
    cols = ["path", "split", "synthesiser", "voice", "speed", "pitch", "volume", "snr_db", "noise", "reverb"]
    with open(os.path.join(a.out, "manifest.tsv"), "w") as f:
        f.write("\t".join(cols) + "\n")
        for r in rows:
            f.write("\t".join(str(r[c]) for c in cols) + "\n")
    text = summary(a.out, a, bundled_val, bundled_test)
    with open(os.path.join(a.out, "summary.txt"), "w") as f:
        f.write(text)
    print(f"{a.out}: " + text, end="")
    print(f"({time.time() - t0:.0f} s in all)")


def check_tools(synths):
    need = {"sox": "sox", "espeak-ng": "espeak-ng"}  # espeak-ng also speaks the babble
    if "flite" in synths:
        need["flite"] = "flite"
    if "festival" in synths:
        need["festival"] = "festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts"
    for tool, pkg in need.items():
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found (Debian: apt-get install -y {pkg}; or leave it out with --synths)")


def run(cmd, **kw):
    """A tool's stdout; fails with the command and its stderr."""
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()[-500:]}")
    return r.stdout


def inventory(synths):
    """Every voice: {id (file-name safe), synth, name, group (split unit), args}."""
    voices = []
    if "espeak" in synths:
        accents = []
        for line in run(["espeak-ng", "--voices=en"]).splitlines()[1:]:
            f = line.split()
            # mbrola voices (mb/) need mbrola; "!v/" lines are variants listed under a language.
            if len(f) >= 5 and not f[4].startswith(("mb/", "!v/")) and f[1] not in accents:
                accents.append(f[1])
        variants = []
        for line in run(["espeak-ng", "--voices=variant"]).splitlines()[1:]:
            f = line.split()
            if len(f) >= 5 and f[4].startswith("!v/"):
                v = f[4][3:]
                if v not in EXCLUDED_VARIANTS and v not in variants:
                    variants.append(v)
        if not accents or not variants:
            sys.exit("espeak-ng lists no English voices or no variants")
        for acc in accents:
            for var in [None] + variants:
                name = acc if var is None else f"{acc}+{var}"
                voices.append({"id": "espeak-" + name, "synth": "espeak-ng", "name": name, "group": "espeak:" + name})
    if "flite" in synths:
        out = run(["flite", "-lv"])
        names = out.split(":", 1)[1].split() if ":" in out else []
        for n in names:
            if n not in EXCLUDED_FLITE:
                voices.append({"id": "flite-" + n.replace("_", "-"), "synth": "flite", "name": n,
                               "group": PERSON.get("flite:" + n, "flite:" + n)})
    if "festival" in synths:
        with tempfile.TemporaryDirectory() as tmp:
            scm = os.path.join(tmp, "list.scm")
            with open(scm, "w") as f:
                f.write('(mapcar (lambda (v) (format t "%s\\t%s\\n" (car v) (cdr v))) voice-locations)\n')
            out = run(["festival", "-b", scm])
        for line in sorted(out.splitlines()):
            if "\t" not in line:
                continue
            n, path = line.split("\t", 1)
            if os.path.basename(os.path.dirname(path.rstrip("/"))) in FESTIVAL_ENGLISH_DIRS:
                voices.append({"id": "festival-" + n.replace("_", "-"), "synth": "festival", "name": n,
                               "group": PERSON.get("festival:" + n, "festival:" + n)})
    ids = [v["id"].lower() for v in voices]
    assert len(set(ids)) == len(ids), "voice ids collide (case-insensitively)"
    return voices


def bundled_held_out(seed, speakers):
    """The voices of data/keywords' validation and test speakers: generate_keywords.py's draw replayed."""
    rng = random.Random(seed)
    sp = draw_speakers(rng, speakers)
    val, test = split_speakers(rng, sp, 0.15, 0.15)  # generate_keywords.py's default fractions
    return ({"espeak-" + s["voice"] for s in sp if s["id"] in val},
            {"espeak-" + s["voice"] for s in sp if s["id"] in test})


def rng_for(seed, *parts):
    """An RNG from a hash of the seed and names, the same in every process and run."""
    h = hashlib.sha256("\0".join(str(x) for x in (seed,) + parts).encode()).digest()
    return random.Random(int.from_bytes(h[:16], "big"))


def assign_splits(voices, a, bundled_val, bundled_test):
    """voice id -> train / validation / test, by whole groups; espeak-ng and the others split separately."""
    rng = rng_for(a.seed, "splits")
    groups = collections.OrderedDict()
    for v in voices:
        groups.setdefault(v["group"], []).append(v["id"])
    ids = {v["id"] for v in voices}
    missing = (bundled_val | bundled_test) - ids
    if missing and any(v["synth"] == "espeak-ng" for v in voices):
        sys.exit(f"bundled held-out voices not in espeak-ng's inventory: {sorted(missing)}")
    split = {}
    for family in ("espeak", "other"):
        names = [g for g in groups if (g.startswith("espeak:")) == (family == "espeak")]
        if not names:
            continue
        n_val = max(1, round(len(names) * a.val_fraction)) if len(names) >= 3 else 0
        n_test = max(1, round(len(names) * a.test_fraction)) if len(names) >= 3 else 0
        forced = {}
        for g in names:
            if any(i in bundled_test for i in groups[g]):
                forced[g] = "test"
            elif any(i in bundled_val for i in groups[g]):
                forced[g] = "validation"
        free = [g for g in names if g not in forced]
        rng.shuffle(free)
        # Hold out the smallest groups (stable sort keeps the shuffle within a size): a person behind
        # several voices (kal, slt) then stays in training, which has few natural voices to lose.
        free.sort(key=lambda g: len(groups[g]))
        want_val = max(0, n_val - sum(1 for s in forced.values() if s == "validation"))
        want_test = max(0, n_test - sum(1 for s in forced.values() if s == "test"))
        for i, g in enumerate(free):
            forced[g] = "validation" if i < want_val else "test" if i < want_val + want_test else "train"
        for g in names:
            for i in groups[g]:
                split[i] = forced[g]
    for i in bundled_val | bundled_test:
        assert split.get(i, "test") != "train"
    return split


def allocate(voices, a):
    """[(word, voice id, [(clip index, k)])]: clips of a word go round a per-word shuffle of voice slots
    (natural voices have --natural-weight slots), so voices get equal shares and k numbers a voice's clips."""
    slots = []
    for v in voices:
        slots += [v["id"]] * (1 if v["synth"] == "espeak-ng" else a.natural_weight)
    tasks = []
    for word in WORDS:
        order = list(slots)
        rng_for(a.seed, "voices", word).shuffle(order)
        per = collections.OrderedDict()
        for i in range(a.clips_per_word):
            vid = order[i % len(order)]
            mine = per.setdefault(vid, [])
            mine.append((i, len(mine)))
        tasks += [(word, vid, clips) for vid, clips in per.items()]
    # Festival tasks are slow (one festival start each): first, so the pool ends evenly.
    tasks.sort(key=lambda t: not t[1].startswith("festival-"))
    return tasks


# ---- worker side -------------------------------------------------------------------------------

_W = {}


def worker_init(out, noise_files, args):
    _W["out"] = out
    _W["args"] = args
    _W["noise"] = [(os.path.basename(f), read_pcm(f)) for f in noise_files]


def read_pcm(path):
    with wave.open(path, "rb") as w:
        assert w.getframerate() == RATE and w.getnchannels() == 1 and w.getsampwidth() == 2, path
        x = array.array("h", w.readframes(w.getnframes()))
    if sys.byteorder == "big":
        x.byteswap()
    return x


def read_float(path):
    return [v / 32768.0 for v in read_pcm(path)]


def sox(inp, out, effects):
    """sox to 16 kHz 16-bit mono: no dither, guarded against clipping."""
    run(["sox", "-D", "-G", inp, "-b", "16", "-e", "signed-integer", out, "channels", "1", "rate", str(RATE)] + effects)


def trimmed(x):
    """place()'s trim: from the first to the last sample above 2% of the peak."""
    peak = max((abs(v) for v in x), default=0.0) or 1.0
    thr = 0.02 * peak
    on = [i for i, v in enumerate(x) if abs(v) > thr]
    return x[on[0]:on[-1] + 1] if on else x


def run_task(task):
    word, voice, clips = task
    args = _W["args"]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        shared_raw = None
        if voice["synth"] == "festival":
            # One festival start per word and voice (about 1.4 s); sox varies tempo and pitch per clip.
            shared_raw = os.path.join(tmp, "festival.wav")
            scm = os.path.join(tmp, "say.scm")
            with open(scm, "w") as f:
                f.write(f"(voice_{voice['name']})\n(utt.save.wave (utt.synth (Utterance Text \"{word}\")) "
                        f"\"{shared_raw}\" 'riff)\n")
            run(["festival", "-b", scm])
            if not os.path.isfile(shared_raw):
                raise RuntimeError(f"festival {voice['name']}: no output for {word!r}")
        for index, k in clips:
            rows.append(make_clip(word, voice, index, k, args, tmp, shared_raw))
    return rows


def make_clip(word, voice, index, k, args, tmp, shared_raw):
    rng = rng_for(args["seed"], word, index)
    raw = os.path.join(tmp, "raw.wav")
    dry = os.path.join(tmp, "dry.wav")
    effects = []
    if voice["synth"] == "espeak-ng":
        s, p = rng.randint(120, 240), rng.randint(15, 85)
        speed, pitch = f"s={s}", f"p={p}"
        run(["espeak-ng", "-v", voice["name"], "-s", str(s), "-p", str(p), "-w", raw, word])
    elif voice["synth"] == "flite":
        stretch = round(rng.uniform(0.75, 1.35), 3)
        f0 = round(FLITE_F0.get(voice["name"], FLITE_F0_DEFAULT) * 2 ** (rng.uniform(-350, 350) / 1200), 1)
        speed, pitch = f"duration_stretch={stretch}", f"f0={f0}Hz"
        run(["flite", "-voice", voice["name"], "--setf", f"duration_stretch={stretch}",
             "--setf", f"int_f0_target_mean={f0}", "-t", word, "-o", raw])
    else:
        tempo, cents = round(rng.uniform(0.75, 1.35), 3), rng.randint(-350, 350)
        speed, pitch = f"tempo={tempo}", f"pitch={cents:+d}c"
        raw = shared_raw
        effects = ["tempo", "-s", str(tempo), "pitch", str(cents)]
    sox(raw, dry, effects)
    speech = trimmed(read_float(dry))
    if len(speech) > TOO_LONG:
        # Too slow to fit in 1 s: speed up just enough rather than cut the word.
        factor = len(speech) / FIT
        sox(dry, os.path.join(tmp, "fit.wav"), ["tempo", "-s", f"{factor:.4f}"])
        speech = trimmed(read_float(os.path.join(tmp, "fit.wav")))
        speed += f",fit_tempo={factor:.3f}"
    reverb = "none"
    if rng.random() < args["reverb_share"]:
        rv = [rng.randint(10, 90), rng.randint(10, 90), rng.randint(10, 100), rng.randint(0, 40),
              round(rng.uniform(-8, 2), 1)]
        write_wav(os.path.join(tmp, "trim.wav"), speech)
        # reverb does not ring on past its input: pad 1 s for the tail; mono, so stereo depth 0.
        sox(os.path.join(tmp, "trim.wav"), os.path.join(tmp, "room.wav"),
            ["pad", "0", "1", "reverb", str(rv[0]), str(rv[1]), str(rv[2]), "0", str(rv[3]), str(rv[4])])
        speech = trimmed(read_float(os.path.join(tmp, "room.wav")))
        reverb = f"reverberance={rv[0]};hf_damping={rv[1]};room_scale={rv[2]};pre_delay_ms={rv[3]};wet_gain_db={rv[4]}"
    # A quiet floor as a microphone has (place adds it); then the noise at the drawn SNR.
    clip = place(speech, rng, rng.uniform(-80, -60))
    n_speech = min(len(speech), CLIP)
    speech_rms = math.sqrt(sum(v * v for v in clip) / n_speech)
    snr, noise_name = "none", "none"
    if rng.random() >= args["clean_share"]:
        noise_name, pcm = _W["noise"][rng.randrange(len(_W["noise"]))]
        start = rng.randrange(len(pcm))
        seg = [pcm[(start + i) % len(pcm)] / 32768.0 for i in range(CLIP)]
        mean = sum(seg) / CLIP
        seg = [v - mean for v in seg]
        noise_rms = math.sqrt(sum(v * v for v in seg) / CLIP) or 1.0
        snr_db = round(rng.uniform(*args["snr"]), 1)
        g = speech_rms / noise_rms / 10 ** (snr_db / 20)
        clip = [c + g * n for c, n in zip(clip, seg)]
        snr = snr_db
    # Level: up to 24 dB below place()'s 0.3-0.9 peak; scaled down if noise pushed it past full scale.
    gain = 10 ** (-rng.uniform(0, 24) / 20)
    peak = max(abs(v) for v in clip) * gain
    if peak > 0.99:
        gain *= 0.99 / peak
        peak = 0.99
    path = f"{word}/{voice['id']}_nohash_{k}.wav"
    write_wav(os.path.join(_W["out"], path), [v * gain for v in clip])
    return {"path": path, "voice_id": voice["id"], "synthesiser": voice["synth"], "voice": voice["name"],
            "speed": speed, "pitch": pitch, "volume": f"{20 * math.log10(max(peak, 1e-9)):.1f}dBFS",
            "snr_db": snr, "noise": noise_name, "reverb": reverb}


# ---- background noise --------------------------------------------------------------------------

def make_noise(folder, a, train_voices):
    """Writes the noise files; returns their paths, sorted. Babble speaks with training voices only."""
    rng = rng_for(a.seed, "noise")
    n = int(a.noise_seconds * RATE)
    write_noise(folder, rng, n)  # white, pink, brown, 50 Hz hum: generate_keywords.py's
    with tempfile.TemporaryDirectory() as tmp:
        def sox_filter(x, effects):
            write_wav(os.path.join(tmp, "in.wav"), normalised(x, 0.25))
            sox(os.path.join(tmp, "in.wav"), os.path.join(tmp, "out.wav"), effects)
            y = read_float(os.path.join(tmp, "out.wav"))
            return (y + [0.0] * n)[:n]

        def room(x):
            return sox_filter(x, ["reverb", str(rng.randint(40, 90)), str(rng.randint(20, 70)),
                                  str(rng.randint(50, 100)), "0", str(rng.randint(0, 30)), "0"])

        def white(m=n):
            return [rng.uniform(-1, 1) for _ in range(m)]

        def brown():
            out, b = [], 0.0
            for _ in range(n):
                b = 0.995 * b + 0.05 * rng.uniform(-1, 1)
                out.append(b)
            return out

        files = {}
        # 60 Hz mains buzz: odd harmonics of a clipped sine, and hiss.
        files["mains_buzz_60hz"] = [max(-0.6, min(0.6, math.sin(2 * math.pi * 60 * i / RATE))) + 0.02 * rng.uniform(-1, 1)
                                    for i in range(n)]
        for j in range(3):
            # Fan: broadband air noise, low-passed, with a blade-pass tone whose level wobbles.
            cut, blade, wob = rng.uniform(500, 3000), rng.uniform(20, 90), rng.uniform(0.2, 1.5)
            air = sox_filter(white(), ["lowpass", f"{cut:.0f}", "highpass", "60"])
            tone = [0.3 * (1 + 0.3 * math.sin(2 * math.pi * wob * i / RATE))
                    * sum(math.sin(2 * math.pi * blade * h * i / RATE) / h for h in (1, 2, 3)) for i in range(n)]
            mix = [u + rng.uniform(0.1, 0.5) * t for u, t in zip(normalised(air, 1), normalised(tone, 1))]
            files[f"fan_{j + 1}"] = room(mix) if j == 2 else mix
        for j in range(2):
            # Engine: firing frequency drifting slowly, harmonics falling off, over rumble.
            f0, depth, period = rng.uniform(25, 60), rng.uniform(0.05, 0.3), rng.uniform(3, 10)
            phase, eng = 0.0, []
            for i in range(n):
                phase += 2 * math.pi * f0 * (1 + depth * math.sin(2 * math.pi * i / RATE / period)) / RATE
                eng.append(sum(math.sin(h * phase) / h ** 1.2 for h in range(1, 9)))
            rumble = brown()
            files[f"engine_{j + 1}"] = sox_filter([e + 2 * r for e, r in zip(normalised(eng, 1), normalised(rumble, 1))],
                                                  ["lowpass", "1500"])
        # Traffic: rumble whose level swells as cars pass.
        cars = [(rng.uniform(0, n), rng.uniform(1, 4) * RATE, rng.uniform(0.3, 1)) for _ in range(int(a.noise_seconds / 2))]
        rumble = sox_filter(white(), ["lowpass", "1200", "highpass", "40"])
        files["traffic"] = [r * (0.1 + sum(h * math.exp(-((i - c) / w) ** 2) for c, w, h in cars))
                            for i, r in enumerate(rumble)]
        # Rain: hiss and droplets (short decaying clicks).
        hiss = sox_filter(white(), ["highpass", "1500"])
        drops = [0.0] * n
        for _ in range(int(rng.uniform(50, 200) * a.noise_seconds)):
            at, amp, tau = rng.randrange(n), rng.uniform(0.2, 1), rng.uniform(16, 48)
            for t in range(min(200, n - at)):
                drops[at + t] += amp * math.exp(-t / tau) * rng.uniform(-1, 1)
        files["rain"] = [0.3 * h + d for h, d in zip(normalised(hiss, 1), normalised(drops, 1))]
        # Kitchen clatter: sparse knocks ringing at high resonances, in a room.
        clat = [0.01 * v for v in white()]
        for _ in range(int(2 * a.noise_seconds)):
            at, f, tau, amp = rng.randrange(n), rng.uniform(800, 6000), rng.uniform(200, 2000), rng.uniform(0.2, 1)
            for t in range(min(int(5 * tau), n - at)):
                clat[at + t] += amp * math.exp(-t / tau) * math.sin(2 * math.pi * f * t / RATE)
        files["clatter_room"] = room(clat)
        # Music-like: chords of harmonic notes from a scale, changing every 0.4-1.5 s.
        for j in range(2):
            mus, i = [0.0] * n, 0
            while i < n:
                dur = int(rng.uniform(0.4, 1.5) * RATE)
                notes = [110 * 2 ** ((rng.choice([0, 2, 3, 5, 7, 8, 10]) + 12 * rng.randint(0, 2)) / 12) for _ in range(3)]
                for t in range(min(dur, n - i)):
                    env = min(1.0, t / 400) * math.exp(-t / dur * 2)
                    mus[i + t] = env * sum(math.sin(2 * math.pi * f * h * t / RATE) / h ** 2 for f in notes for h in (1, 2, 3))
                i += dur
            files[f"music_{j + 1}"] = room(mus) if j == 1 else mus
        # Babble: overlapping streams of unrelated speech (no keywords) by training voices.
        speakers = [v for v in train_voices if v["synth"] in ("espeak-ng", "flite")]
        speakers = speakers or [{"synth": "espeak-ng", "name": "en-us"}]  # --synths festival: not a voice of the set
        for j, (streams, roomy) in enumerate(((3, False), (5, False), (8, True), (12, True))):
            mix = [0.0] * n
            for _ in range(streams):
                s = normalised(speech_stream(rng.choice(speakers), rng, tmp, n), 1)
                off, g = rng.randrange(n), rng.uniform(0.4, 1)
                for t in range(n):
                    mix[t] += g * s[(t + off) % n]
            files[f"babble_{streams}{'_room' if roomy else ''}"] = room(mix) if roomy else mix
        # A television in the next room: two voices and music, band-limited and reverberant.
        tv = [u + w + 0.5 * m for u, w, m in zip(normalised(speech_stream(rng.choice(speakers), rng, tmp, n), 1),
                                                  normalised(speech_stream(rng.choice(speakers), rng, tmp, n), 1),
                                                  normalised(files["music_1"], 1))]
        files["tv_next_room"] = room(sox_filter(tv, ["highpass", "200", "lowpass", "3000"]))
        for name, x in files.items():
            write_wav(os.path.join(folder, name + ".wav"), normalised(x, 0.5))
    return sorted(os.path.join(folder, f) for f in os.listdir(folder))


def speech_stream(voice, rng, tmp, n):
    """n samples of word salad (no keyword) by one voice, repeated to length."""
    text = " ".join(rng.choice(BABBLE) for _ in range(int(n / RATE * 3)))
    raw = os.path.join(tmp, "stream_raw.wav")
    if voice["synth"] == "espeak-ng":
        run(["espeak-ng", "-v", voice["name"], "-s", str(rng.randint(140, 220)), "-p", str(rng.randint(20, 80)),
             "-w", raw, text])
    else:
        run(["flite", "-voice", voice["name"], "-t", text, "-o", raw])
    sox(raw, os.path.join(tmp, "stream.wav"), [])
    x = read_float(os.path.join(tmp, "stream.wav")) or [0.0]
    return [x[i % len(x)] for i in range(n)]


def normalised(x, peak):
    m = max((abs(v) for v in x), default=0.0) or 1.0
    return [peak * v / m for v in x]


# ---- summary -----------------------------------------------------------------------------------

def summary(out, a, bundled_val, bundled_test):
    """Counted from manifest.tsv, so it describes what was written."""
    with open(os.path.join(out, "manifest.tsv")) as f:
        head = f.readline().rstrip("\n").split("\t")
        rows = [dict(zip(head, line.rstrip("\n").split("\t"))) for line in f]
    voice = lambda r: r["path"].split("/")[1].split("_nohash_")[0]  # noqa: E731
    lines = [f"{len(rows)} clips, seed {a.seed}, {a.clips_per_word} per word requested"]
    per_word = collections.Counter(r["path"].split("/")[0] for r in rows)
    lines.append("clips per word: " + ", ".join(f"{w} {per_word[w]}" for w in WORDS))
    splits = ("train", "validation", "test")
    for s in splits:
        rs = [r for r in rows if r["split"] == s]
        by_synth = collections.Counter(r["synthesiser"] for r in rs)
        vs = collections.defaultdict(set)
        for r in rs:
            vs[r["synthesiser"]].add(voice(r))
        lines.append(f"{s}: {len(rs)} clips, {len({voice(r) for r in rs})} voices ("
                     + ", ".join(f"{k} {len(vs[k])} voices {by_synth[k]} clips" for k in sorted(by_synth)) + ")")
    all_v = collections.defaultdict(set)
    for r in rows:
        all_v[r["synthesiser"]].add(voice(r))
    lines.append(f"voices in all: {sum(len(v) for v in all_v.values())} ("
                 + ", ".join(f"{k} {len(v)}" for k, v in sorted(all_v.items())) + ")")
    train = {voice(r) for r in rows if r["split"] == "train"}
    held = {voice(r) for r in rows if r["split"] != "train"}
    assert not train & held, "a voice is in training and held out"
    assert not train & (bundled_val | bundled_test), "a bundled held-out voice is in training"
    lines.append("no voice in two splits; bundled held-out voices in training: none")
    noisy = [r for r in rows if r["snr_db"] != "none"]
    lines.append(f"noise: {len(noisy)} clips with noise ({100 * len(noisy) / max(1, len(rows)):.0f}%), "
                 f"reverb: {sum(r['reverb'] != 'none' for r in rows)} clips, "
                 f"sped up to fit 1 s: {sum('fit_tempo' in r['speed'] for r in rows)} clips")
    nd = os.path.join(out, NOISE_DIR)
    secs = sum(os.path.getsize(os.path.join(nd, f)) - 44 for f in os.listdir(nd)) / 2 / RATE
    lines.append(f"{NOISE_DIR}: {len(os.listdir(nd))} files, {secs:.0f} s")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
