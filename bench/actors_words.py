"""How many words real actors' emotional speech loses to the studio's word recogniser.

    .venv/bin/python bench/actors_words.py [--bootstrap 2000]

The studio's word check (``studio.critic.intelligibility``: pocketsphinx, its bundled en-us model)
transcribes the shared RAVDESS clips (12 North-American English actors; two statements, "Kids
are talking by the door" and "Dogs are sitting by the door", each said twice per emotion at a
normal and a strong intensity; neutral at normal intensity only; CC BY-NC-SA: a yardstick, never
training data). Printed per emotion: the word error rate at each intensity and over both, and
its ratio to the actors' neutral clips with a 95 % interval from resampling the actors.

What it is for: ``bench/tts.py`` holds every emotional take to at most 1.3x bare piper's word
error rate (issue 27). This table says how far natural emotional speech itself stays within such
a bar for the same recogniser. Takes about 5 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("EMOSTUDIO_SHARED", REPO.parent / "shared"))

#: RAVDESS's emotions, in the order printed.
EMOTIONS = ("neutral", "calm", "happiness", "sadness", "anger", "fear", "disgust", "surprise")


def transcribe_actors(root: Path) -> list[dict]:
    """One row per clip of ``root/labels.csv``: actor, emotion, intensity, word errors and
    reference words of pocketsphinx's transcript."""
    import soundfile as sf
    from tqdm import tqdm

    from studio.critic.intelligibility import transcribe, word_errors

    labels = root / "labels.csv"
    if not labels.is_file():
        raise SystemExit(f"RAVDESS not found at {root} (set EMOSTUDIO_SHARED)")
    rows = list(csv.DictReader(labels.open()))
    out = []
    for row in tqdm(rows, unit="clip", desc="pocketsphinx on RAVDESS"):
        audio, rate = sf.read(root / row["file"], dtype="float64")
        if audio.ndim > 1:
            audio = audio.mean(axis=1)
        errors, words = word_errors(row["statement"], transcribe(audio, rate))
        out.append({"actor": row["actor"], "emotion": row["emotion"],
                    "intensity": row["intensity"], "errors": errors, "words": words})
    return out


def error_rate(rows: list[dict]) -> float:
    """Corpus word error rate of ``rows`` (errors over reference words), NaN for none."""
    words = sum(r["words"] for r in rows)
    return sum(r["errors"] for r in rows) / words if words else float("nan")


def ratio_interval(rows: list[dict], emotion: str, draws: int, seed: int = 0
                   ) -> tuple[float, float, float]:
    """(ratio, low, high): ``emotion``'s word error rate over neutral's, and its 95 % interval
    from resampling the actors with replacement (``draws`` times)."""
    by_actor: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for r in rows:
        if r["emotion"] in (emotion, "neutral"):
            cell = by_actor[r["actor"]][r["emotion"]]
            cell[0] += r["errors"]
            cell[1] += r["words"]
    actors = sorted(by_actor)
    counts = np.array([[by_actor[a][e] for e in (emotion, "neutral")] for a in actors], float)
    point = (counts[:, 0, 0].sum() / counts[:, 0, 1].sum()) / \
        (counts[:, 1, 0].sum() / counts[:, 1, 1].sum())
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(actors), (draws, len(actors)))
    sums = counts[pick].sum(axis=1)                        # (draws, 2 emotions, 2)
    ratios = (sums[:, 0, 0] / sums[:, 0, 1]) / np.maximum(sums[:, 1, 0] / sums[:, 1, 1], 1e-9)
    low, high = np.percentile(ratios, [2.5, 97.5])
    return float(point), float(low), float(high)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", type=int, default=2000,
                        help="resamples of the actors for the intervals (default 2000)")
    args = parser.parse_args()
    rows = transcribe_actors(SHARED / "data" / "ravdess")
    actors = len({r["actor"] for r in rows})
    print(f"\npocketsphinx (the critic's word check) on RAVDESS: {len(rows)} clips of {actors} "
          "English actors, word error rate")
    print(f"{'emotion':10s} {'normal':>7s} {'strong':>7s} {'all':>7s}   "
          f"{'x neutral [95 % over actors]':>28s}")
    for emotion in EMOTIONS:
        mine = [r for r in rows if r["emotion"] == emotion]
        if not mine:
            continue
        rates = [error_rate([r for r in mine if r["intensity"] == i]) for i in ("normal", "strong")]
        cells = " ".join("    -  " if np.isnan(v) else f"{100 * v:6.1f}%" for v in rates)
        ratio, low, high = ratio_interval(rows, emotion, args.bootstrap)
        print(f"{emotion:10s} {cells} {100 * error_rate(mine):6.1f}%   "
              f"{ratio:5.2f}x [{low:.2f}, {high:.2f}]")
    print("bench/tts.py's bar for every emotional take: 1.3x bare piper's word error rate")


if __name__ == "__main__":
    main()
