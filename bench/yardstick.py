"""The independent emotion yardsticks of the benchmarks: eGeMAPSv02 recognisers trained on EmoDB
(ten German actors) and on RAVDESS (twelve North-American English actors).

The studio never trains on these models; benches use them to say whether a listener model that
has never seen our voice hears the intended emotion, and a change is kept only when it does not
trade one language's listener against the other's. openSMILE is licensed for non-commercial use
only and RAVDESS is CC BY-NC-SA, so this module is benchmark-only: nothing under
``controllers/``, ``synth/`` or ``studio/`` may import it, and nothing that ships is trained on
RAVDESS.

Model: the 88 eGeMAPSv02 functionals (openSMILE) of each clip (every clip, EmoDB's or ours, first
made like the shared EmoDB copy's: band-limited to 8 kHz and peak-normalised, :func:`prepare`; the
copy's clips are also cut or padded to 2 s, which is not done to takes), z-normalised per speaker
(mean and standard deviation over all of that speaker's clips), then a multinomial logistic
regression over EmoDB's 7 classes (:data:`CLASSES`; ``calm`` is EmoDB's boredom, its low-arousal
class besides sadness). :meth:`Yardstick.train` measures the unweighted average recall (UAR) by
leave-one-speaker-out over EmoDB's actors (:attr:`Yardstick.loso_uar`), then fits on all of them.

The English listener (``Yardstick.train(corpus="ravdess")``) is made the same way from the
shared RAVDESS speech (12 actors, 6 female, 6 male; both statements, both intensities, both
repetitions; 624 clips): RAVDESS's neutral, calm, happy, sad, angry, fearful and disgusted clips
map onto the same 7 classes (calm is RAVDESS's own calm here, not boredom), surprise is dropped
(:data:`RAVDESS_TO_CLASS`), its C was chosen by leave-one-actor-out UAR (:data:`RAVDESS_C`), and
its leave-one-actor-out UAR is 0.59 (actors it did not train on; chance 0.14). Both:
``python bench/yardstick.py`` prints their UAR and confusions.
A generated voice is normalised the same way: over all of its takes (:meth:`Yardstick.voice_stats`),
so a benchmark must render every target for it, not only one emotion.

    from bench.yardstick import Yardstick, egemaps
    stick = Yardstick.train()                 # or Yardstick.train(corpus="ravdess"), train_all()
    x = np.stack([egemaps(audio, rate) for audio in takes])        # (n, 88)
    predicted = stick.predict(x, stick.voice_stats(x))
"""

from __future__ import annotations

import csv
import functools
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("EMOSTUDIO_SHARED", REPO.parent / "shared"))
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "emostudio"

#: The recogniser's classes, in column order of :meth:`Yardstick.probabilities`.
CLASSES = ("neutral", "happiness", "sadness", "anger", "fear", "disgust", "calm")
#: EmoDB's label -> our class.
EMODB_TO_CLASS = {"neutral": "neutral", "happiness": "happiness", "sadness": "sadness",
                  "anger": "anger", "fear": "fear", "disgust": "disgust", "boredom": "calm"}
#: Target name (studio category or user word) -> yardstick class. ``surprise`` has none.
TARGET_TO_CLASS = {**{c: c for c in CLASSES}, "boredom": "calm",
                   "happy": "happiness", "sad": "sadness", "angry": "anger", "scared": "fear",
                   "afraid": "fear", "disgusted": "disgust", "bored": "calm"}
#: Inverse-regularisation strength of the logistic regression, with classes weighted by their
#: inverse frequency (EmoDB has twice as many angry clips as others). Chosen once by LOSO UAR over
#: C in {0.003 .. 3}, with and without weighting: 0.03 balanced gives 0.71 (0.1 unweighted 0.68).
C = 0.03
#: RAVDESS's label (as in the shared ``labels.csv``) -> our class. Its eighth emotion, surprise,
#: is dropped: the studio's targets judged here are the 7 classes, and the EmoDB listener has no
#: surprise either, so the two yardsticks answer the same question (which of 7 is heard).
RAVDESS_TO_CLASS = {c: c for c in CLASSES}
#: C of the RAVDESS listener (balanced weights), chosen like :data:`C`, by leave-one-actor-out
#: UAR over the 12 actors: 0.003 0.570, 0.01 0.591, 0.03 0.583, 0.1 0.589, 0.3 0.583, 1 0.557,
#: 3 0.548 (flat from 0.01 to 0.3; the strongest regularisation of the plateau, as a listener
#: that must carry over to a voice it never heard).
RAVDESS_C = 0.01
#: Display name of each yardstick corpus.
CORPUS_NAMES = {"emodb": "EmoDB (German actors)", "ravdess": "RAVDESS (English actors)"}


@functools.lru_cache(maxsize=1)
def _smile():
    import opensmile

    return opensmile.Smile(feature_set=opensmile.FeatureSet.eGeMAPSv02,
                           feature_level=opensmile.FeatureLevel.Functionals)


def feature_names() -> list[str]:
    """Names of the 88 eGeMAPSv02 functionals, in the order :func:`egemaps` returns them."""
    return list(_smile().feature_names)


def prepare(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """(samples,) float32: ``audio`` made like the clips of the shared EmoDB copy the recogniser
    learned from: band-limited to 8 kHz (EmoDB was recorded at 16 kHz; resampled there and back)
    and peak-normalised (the copy is, so absolute level was never a cue the model could learn;
    level relations inside a clip still are)."""
    from scipy.signal import resample_poly

    x = np.asarray(audio, np.float64).reshape(-1)
    if sample_rate > 16000:
        g = np.gcd(16000, int(sample_rate))
        x = resample_poly(resample_poly(x, 16000 // g, sample_rate // g),
                          sample_rate // g, 16000 // g)[:len(audio)]
    peak = np.max(np.abs(x)) if len(x) else 0.0
    return (x / peak if peak > 0 else x).astype(np.float32)


def egemaps(audio: np.ndarray, sample_rate: int, prepared: bool = True) -> np.ndarray:
    """(88,) float64 eGeMAPSv02 functionals of a mono ``audio`` (samples,) clip, after
    :func:`prepare` (``prepared=False``: of the clip as it is, e.g. to compare loudness)."""
    x = prepare(audio, sample_rate) if prepared else np.asarray(audio, np.float32).reshape(-1)
    frame = _smile().process_signal(x, sample_rate)
    return frame.to_numpy(np.float64)[0]


def egemaps_file(path, prepared: bool = True) -> np.ndarray:
    """(88,) eGeMAPSv02 functionals of an audio file (mono or the first channel)."""
    import soundfile as sf

    audio, rate = sf.read(str(path), dtype="float32", always_2d=True)
    return egemaps(audio[:, 0], rate, prepared)


def _corpus_features(name: str, root: Path, rows: list[dict]) -> np.ndarray:
    """(len(rows), 88) eGeMAPSv02 of each row's ``file`` under ``root``, cached under
    ``~/.cache/emostudio/`` (keyed by the file list, never written into the repository)."""
    cache = CACHE / f"{name}_egemaps_v02_prepared_{len(rows)}.npz"
    files = [r["file"] for r in rows]
    if cache.is_file():
        stored = np.load(cache)
        if list(stored["files"]) == files:
            return stored["x"]
    x = np.stack([egemaps_file(root / f) for f in files])
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp.npz")
    np.savez(tmp, x=x, files=np.asarray(files))
    tmp.replace(cache)
    return x


def emodb_features(shared: Path = SHARED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x (419, 88), labels (419,) class names, speakers (419,)) of EmoDB (features cached)."""
    root = Path(shared) / "data" / "emodb"
    labels = root / "labels.csv"
    if not labels.is_file():
        raise FileNotFoundError(f"EmoDB not found at {root} (set EMOSTUDIO_SHARED)")
    rows = list(csv.DictReader(labels.open()))
    y = np.asarray([EMODB_TO_CLASS[r["emotion"]] for r in rows])
    speakers = np.asarray([r["speaker"] for r in rows])
    return _corpus_features("emodb", root, rows), y, speakers


def ravdess_features(shared: Path = SHARED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x (n, 88), labels (n,) class names, actors (n,)) of the shared RAVDESS speech (12
    English actors), the clips of :data:`RAVDESS_TO_CLASS`'s emotions only (surprise dropped;
    both intensities kept), features cached. Benchmark-only data (CC BY-NC-SA): nothing that
    ships may be trained on it."""
    root = Path(shared) / "data" / "ravdess"
    labels = root / "labels.csv"
    if not labels.is_file():
        raise FileNotFoundError(f"RAVDESS not found at {root} (set EMOSTUDIO_SHARED)")
    rows = [r for r in csv.DictReader(labels.open()) if r["emotion"] in RAVDESS_TO_CLASS]
    y = np.asarray([RAVDESS_TO_CLASS[r["emotion"]] for r in rows])
    actors = np.asarray([r["actor"] for r in rows])
    return _corpus_features("ravdess", root, rows), y, actors


def corpus_loader(corpus: str):
    """The (features loader, C) of a yardstick corpus: ``"emodb"`` or ``"ravdess"``."""
    if corpus == "emodb":
        return emodb_features, C
    if corpus == "ravdess":
        return ravdess_features, RAVDESS_C
    raise ValueError(f"unknown yardstick corpus {corpus!r} (emodb, ravdess)")


def _normalise(x: np.ndarray, stats: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    mean, std = stats
    return (x - mean) / std


def _stats(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return x.mean(axis=0), x.std(axis=0) + 1e-6


def _per_speaker(x: np.ndarray, speakers: np.ndarray) -> np.ndarray:
    out = np.empty_like(x)
    for s in np.unique(speakers):
        rows = speakers == s
        out[rows] = _normalise(x[rows], _stats(x[rows]))
    return out


def _model(c: float = C):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, class_weight="balanced", max_iter=5000)


def confusion(targets, predicted, classes=CLASSES) -> np.ndarray:
    """(k, k) counts: row = intended class, column = recognised class."""
    index = {c: i for i, c in enumerate(classes)}
    out = np.zeros((len(classes), len(classes)), np.int64)
    for t, p in zip(targets, predicted):
        out[index[t], index[p]] += 1
    return out


def uar(matrix: np.ndarray) -> float:
    """Unweighted average recall of a confusion matrix (classes with no row are skipped)."""
    rows = matrix.sum(axis=1)
    return float(np.mean(np.diag(matrix)[rows > 0] / rows[rows > 0]))


@dataclass
class Yardstick:
    """eGeMAPSv02 + per-speaker z-normalisation + logistic regression over :data:`CLASSES`."""

    loso_uar: float
    """Leave-one-speaker-out UAR on EmoDB's actors, measured when trained."""
    loso_confusion: np.ndarray
    """(7, 7) LOSO confusion counts (row = true class, column = recognised, :data:`CLASSES`)."""
    model: object = field(repr=False, default=None)
    corpus: str = "emodb"
    """The actors it learned from: ``"emodb"`` (German) or ``"ravdess"`` (English)."""

    @property
    def name(self) -> str:
        """Printable name of the listener (its corpus)."""
        return CORPUS_NAMES.get(self.corpus, self.corpus)

    @classmethod
    def train(cls, shared: Path = SHARED, corpus: str = "emodb",
              c: float | None = None) -> Yardstick:
        """Measure leave-one-speaker-out UAR on ``corpus``'s actors, then fit on all of them (a
        few seconds once the features are cached). ``c``: another regularisation than the
        corpus's chosen one (for the choice itself)."""
        load, chosen = corpus_loader(corpus)
        c = chosen if c is None else c
        x, y, speakers = load(shared)
        x = _per_speaker(x, speakers)
        predicted = np.empty(len(y), dtype=object)
        for s in np.unique(speakers):
            test = speakers == s
            predicted[test] = _model(c).fit(x[~test], y[~test]).predict(x[test])
        matrix = confusion(y, predicted)
        model = _model(c).fit(x, y)
        assert tuple(model.classes_) == tuple(sorted(CLASSES))
        return cls(loso_uar=uar(matrix), loso_confusion=matrix, model=model, corpus=corpus)

    def voice_stats(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(mean (88,), std (88,)) over ALL takes ``features`` (n, 88) of one voice."""
        return _stats(np.atleast_2d(np.asarray(features, np.float64)))

    def probabilities(self, features: np.ndarray, stats) -> np.ndarray:
        """(n, 7) class probabilities of takes ``features`` (n, 88) of a voice with ``stats``,
        columns in :data:`CLASSES` order."""
        x = _normalise(np.atleast_2d(np.asarray(features, np.float64)), stats)
        p = self.model.predict_proba(x)
        order = [list(self.model.classes_).index(c) for c in CLASSES]
        return p[:, order]

    def predict(self, features, stats) -> list[str]:
        """The recognised class of each take (a name from :data:`CLASSES`)."""
        return [CLASSES[k] for k in self.probabilities(features, stats).argmax(axis=1)]


def recognition_table(targets: list[str], predicted: list[str]) -> str:
    """Printable markdown: per intended class the % recognised, overall %, and the confusion
    matrix (rows intended, columns recognised, % of the row). ``targets`` may use user words or
    studio categories (:data:`TARGET_TO_CLASS`); takes without a class (surprise) are skipped."""
    pairs = [(TARGET_TO_CLASS[t], p) for t, p in zip(targets, predicted) if t in TARGET_TO_CLASS]
    if not pairs:
        return "(no scored takes)"
    matrix = confusion([t for t, _ in pairs], [p for _, p in pairs])
    present = [i for i, c in enumerate(CLASSES) if matrix[i].sum() > 0]
    hits = sum(matrix[i, i] for i in present)
    lines = [f"recognised {100 * hits / len(pairs):.0f}% of {len(pairs)} takes "
             f"(UAR {100 * uar(matrix):.0f}%, chance {100 / len(CLASSES):.0f}%): "
             + ", ".join(f"{CLASSES[i]} {100 * matrix[i, i] / matrix[i].sum():.0f}%"
                         for i in present),
             "", "| intended \\ heard | " + " | ".join(c[:5] for c in CLASSES) + " |",
             "|---|" + "---|" * len(CLASSES)]
    for i in present:
        row = 100.0 * matrix[i] / matrix[i].sum()
        lines.append(f"| {CLASSES[i]} | " + " | ".join(
            f"**{v:.0f}**" if j == i else f"{v:.0f}" for j, v in enumerate(row)) + " |")
    return "\n".join(lines)


def train_all(shared: Path = SHARED) -> dict[str, Yardstick]:
    """Every yardstick whose corpus is present under ``shared``, by corpus name (EmoDB first);
    an absent corpus is reported on stderr and left out."""
    out = {}
    for corpus in CORPUS_NAMES:
        try:
            out[corpus] = Yardstick.train(shared, corpus)
        except FileNotFoundError as exc:
            print(f"yardstick {corpus} unavailable: {exc}", file=sys.stderr)
    return out


def loso_report(stick: Yardstick) -> str:
    """Printable leave-one-speaker-out UAR and confusion of a trained yardstick."""
    labels = [CLASSES[i] for i, n in enumerate(stick.loso_confusion.sum(axis=1))
              for _ in range(n)]
    heard = [CLASSES[j] for i in range(len(CLASSES)) for j in range(len(CLASSES))
             for _ in range(stick.loso_confusion[i, j])]
    return (f"{stick.name}: leave-one-speaker-out UAR {stick.loso_uar:.3f}\n"
            + recognition_table(labels, heard))


if __name__ == "__main__":
    for stick in train_all(Path(sys.argv[1]) if len(sys.argv) > 1 else SHARED).values():
        print(loso_report(stick) + "\n")
