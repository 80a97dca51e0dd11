"""The EmoDB corpus as the SER trainer and benchmarks read it (../shared/data/emodb).

Only training and benchmarks read it, never the product.

EmoDB's 7 classes map to the studio's categories; boredom becomes "calm", the studio's only
low-arousal category besides sadness (relaxed, unexcited speech sounds like bored speech:
low, flat pitch, slow, soft).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: EmoDB's classes in the SER model's output order.
EMODB_CLASSES: tuple[str, ...] = ("anger", "boredom", "disgust", "fear", "happiness", "sadness",
                                  "neutral")

#: EmoDB class -> studio category (controllers.target.CATEGORIES).
EMODB_TO_CATEGORY: dict[str, str] = {
    "anger": "anger", "boredom": "calm", "disgust": "disgust", "fear": "fear",
    "happiness": "happiness", "sadness": "sadness", "neutral": "neutral",
}


@dataclass(frozen=True)
class Utterance:
    path: Path
    """The clip's wav file (2.000 s, 22.05 kHz, peak-normalised)."""
    speaker: int
    gender: str
    sentence: str
    """Sentence code, e.g. ``"a01"``."""
    emotion: str
    """One of :data:`EMODB_CLASSES`."""


def load_corpus(root: str | Path) -> list[Utterance]:
    """Every clip listed in ``root/labels.csv``."""
    root = Path(root)
    with open(root / "labels.csv", newline="") as f:
        return [Utterance(root / r["file"], int(r["speaker"]), r["gender"], r["sentence"],
                          r["emotion"]) for r in csv.DictReader(f)]


def corpus_features(utterances: list[Utterance], cache: str | Path | None = None,
                    progress: bool = True) -> np.ndarray:
    """(n, len(FEATURE_NAMES)) features of each clip; cached in ``cache`` (npz) when given."""
    import soundfile as sf
    from tqdm import tqdm

    from studio.critic.features import FEATURE_NAMES, extract_features

    keys = np.array([u.path.name for u in utterances])
    if cache is not None and Path(cache).exists():
        data = np.load(cache)
        if data["keys"].tolist() == keys.tolist() and data["names"].tolist() == list(FEATURE_NAMES):
            return data["features"]
    rows = []
    for u in tqdm(utterances, desc="features", disable=not progress, mininterval=5.0):
        audio, sr = sf.read(u.path, dtype="float32")
        rows.append(extract_features(audio, sr))
    feats = np.stack(rows)
    if cache is not None:
        Path(cache).parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, keys=keys, names=np.array(FEATURE_NAMES), features=feats)
    return feats
