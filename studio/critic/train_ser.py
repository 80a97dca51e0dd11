"""Train the speech emotion recogniser on EmoDB and report leave-one-speaker-out figures.

    python -m studio.critic.train_ser [--emodb ../shared/data/emodb] [--out assets/critic/ser.json]
                                      [--skip-voice]

For each mode (see :mod:`studio.critic.ser`) it prints the leave-one-speaker-out (LOSO)
unweighted average recall (UAR), the expected calibration error (ECE) before and after
temperature scaling, and the confusion matrix; then fits the shipped models on all 8 speakers.
Training data never ships: only the arrays in ``ser.json``. Then (unless ``--skip-voice``) it
measures the studio voice's reference statistics (``assets/critic/voice.json``, see
:mod:`studio.critic.voice_reference`), against which the critic reads the voice's takes.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from controllers.assets import asset_path
from studio.critic.emodb import EMODB_CLASSES, Utterance, corpus_features, load_corpus
from studio.critic.features import FEATURE_NAMES
from studio.critic.ser import (MODES, LinearSoftmax, relative_features, softmax,
                               speaker_normalise)

#: Inverse L2 regularisation of each mode's logistic regression (chosen by LOSO UAR over
#: 0.01, 0.03, 0.1, 0.3; speaker: 0.761, 0.772, 0.767, 0.767).
REGULARISATION: dict[str, float] = {"single": 0.03, "relative": 0.03, "speaker": 0.03}
NEUTRAL = EMODB_CLASSES.index("neutral")


@dataclass
class LosoResult:
    mode: str
    uar: float
    """Unweighted average recall over the 7 classes, LOSO."""
    ece_raw: float
    """Expected calibration error (15 bins) of the uncalibrated probabilities."""
    ece: float
    """ECE after temperature scaling (temperature fitted on the other speakers)."""
    confusion: np.ndarray
    """(7, 7) counts, rows true class, columns predicted, in EMODB_CLASSES order."""
    per_speaker_uar: dict[int, float]
    probabilities: np.ndarray
    """(n, 7) calibrated out-of-fold probabilities."""


def neutral_references(features: np.ndarray, corpus: list[Utterance]) -> np.ndarray:
    """(n, d) each clip's neutral reference: the same speaker's neutral take of the same sentence
    (another version for neutral clips), else the mean of the speaker's other neutral takes."""
    spk = np.array([u.speaker for u in corpus])
    sent = np.array([u.sentence for u in corpus])
    neutral = np.array([u.emotion == "neutral" for u in corpus])
    refs = np.empty_like(features)
    for i in range(len(corpus)):
        others = neutral & (spk == spk[i]) & (np.arange(len(corpus)) != i)
        same = others & (sent == sent[i])
        refs[i] = features[same if same.any() else others].mean(0)
    return refs


def mode_inputs(features: np.ndarray, corpus: list[Utterance], mode: str) -> np.ndarray:
    """(n, d_mode) model inputs of every clip for one mode."""
    if mode == "single":
        return features
    if mode == "relative":
        return relative_features(features, neutral_references(features, corpus))
    spk = np.array([u.speaker for u in corpus])
    out = np.empty_like(features)
    for s in np.unique(spk):
        out[spk == s] = speaker_normalise(features[spk == s])
    return out


def fit_linear(x: np.ndarray, y: np.ndarray, c: float) -> LinearSoftmax:
    """Standardiser + class-balanced multinomial logistic regression (sklearn, training only)."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(0), x.std(0) + 1e-9
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
        clf.fit((x - mean) / scale, y)
    return LinearSoftmax(mean, scale, clf.coef_, clf.intercept_)


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature minimising the negative log-likelihood (grid, then refined)."""
    def nll(t: float) -> float:
        p = softmax(logits / t)
        return float(-np.log(p[np.arange(len(y)), y] + 1e-12).mean())

    grid = np.exp(np.linspace(np.log(0.2), np.log(5.0), 81))
    best = grid[np.argmin([nll(t) for t in grid])]
    fine = best * np.exp(np.linspace(-0.05, 0.05, 21))
    return float(fine[np.argmin([nll(t) for t in fine])])


def expected_calibration_error(p: np.ndarray, y: np.ndarray, bins: int = 15) -> float:
    """ECE: |accuracy - confidence| averaged over equal-width confidence bins, weighted by count."""
    conf, pred = p.max(1), p.argmax(1)
    edges = np.linspace(0, 1, bins + 1)
    err = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        sel = (conf > lo) & (conf <= hi)
        if sel.any():
            err += sel.mean() * abs(float((pred[sel] == y[sel]).mean()) - float(conf[sel].mean()))
    return float(err)


def unweighted_average_recall(y: np.ndarray, pred: np.ndarray, classes: int = 7) -> float:
    return float(np.mean([(pred[y == k] == k).mean() for k in range(classes) if np.any(y == k)]))


def loso(features: np.ndarray, corpus: list[Utterance], mode: str) -> LosoResult:
    """Leave-one-speaker-out evaluation of one mode."""
    x = mode_inputs(features, corpus, mode)
    y = np.array([EMODB_CLASSES.index(u.emotion) for u in corpus])
    spk = np.array([u.speaker for u in corpus])
    logits = np.zeros((len(y), len(EMODB_CLASSES)))
    for s in np.unique(spk):
        test = spk == s
        logits[test] = fit_linear(x[~test], y[~test], REGULARISATION[mode]).logits(x[test])
    probs = np.zeros_like(logits)
    for s in np.unique(spk):  # temperature fitted on the other speakers' out-of-fold logits
        test = spk == s
        probs[test] = softmax(logits[test] / fit_temperature(logits[~test], y[~test]))
    pred = probs.argmax(1)
    confusion = np.zeros((7, 7), int)
    np.add.at(confusion, (y, pred), 1)
    return LosoResult(
        mode, unweighted_average_recall(y, pred),
        expected_calibration_error(softmax(logits), y), expected_calibration_error(probs, y),
        confusion, {int(s): unweighted_average_recall(y[spk == s], pred[spk == s])
                    for s in np.unique(spk)}, probs)


def train(features: np.ndarray, corpus: list[Utterance]) -> dict[str, LinearSoftmax]:
    """Each mode's model fitted on the whole corpus, temperature from its LOSO logits."""
    y = np.array([EMODB_CLASSES.index(u.emotion) for u in corpus])
    spk = np.array([u.speaker for u in corpus])
    models = {}
    for mode in MODES:
        x = mode_inputs(features, corpus, mode)
        logits = np.zeros((len(y), 7))
        for s in np.unique(spk):
            test = spk == s
            logits[test] = fit_linear(x[~test], y[~test], REGULARISATION[mode]).logits(x[test])
        model = fit_linear(x, y, REGULARISATION[mode])
        model.temperature = fit_temperature(logits, y)
        models[mode] = model
    return models


def format_confusion(confusion: np.ndarray) -> str:
    short = [c[:4] for c in EMODB_CLASSES]
    lines = ["true\\pred " + " ".join(f"{s:>5}" for s in short)]
    for name, row in zip(short, confusion):
        lines.append(f"{name:>9} " + " ".join(f"{v:>5d}" for v in row))
    return "\n".join(lines)


def default_cache() -> Path:
    return Path(tempfile.gettempdir()) / "emostudio_ser_features.npz"


def main(argv: list[str] | None = None) -> int:
    from synth.atomic import atomic_write_text

    parser = argparse.ArgumentParser(prog="python -m studio.critic.train_ser",
                                     description=__doc__.split("\n")[0])
    here = Path(__file__).resolve().parents[2]
    parser.add_argument("--emodb", default=str(here.parent / "shared" / "data" / "emodb"))
    parser.add_argument("--out", default=str(asset_path("critic", "ser.json")))
    parser.add_argument("--cache", default=str(default_cache()),
                        help="feature cache (npz); reused when it matches the corpus")
    parser.add_argument("--skip-voice", action="store_true",
                        help="do not re-measure the studio voice's reference statistics")
    args = parser.parse_args(argv)
    if not Path(args.emodb, "labels.csv").exists():
        parser.error(f"EmoDB not found at {args.emodb} (expected labels.csv and wav/)")

    corpus = load_corpus(args.emodb)
    features = corpus_features(corpus, args.cache)
    info = {"corpus": "EmoDB (8 speakers, 2 s clips)", "loso": {}}
    for mode in MODES:
        r = loso(features, corpus, mode)
        info["loso"][mode] = {"uar": round(r.uar, 4), "ece_uncalibrated": round(r.ece_raw, 4),
                              "ece": round(r.ece, 4), "confusion": r.confusion.tolist(),
                              "per_speaker_uar": {str(k): round(v, 3)
                                                  for k, v in r.per_speaker_uar.items()}}
        print(f"\n== mode {mode}: LOSO UAR {r.uar:.3f}  ECE {r.ece_raw:.3f} -> {r.ece:.3f} "
              f"(temperature-scaled)")
        print("per-speaker UAR: " + " ".join(f"{k}:{v:.2f}" for k, v in r.per_speaker_uar.items()))
        print(format_confusion(r.confusion))
    models = train(features, corpus)
    payload = {"features": list(FEATURE_NAMES), "classes": list(EMODB_CLASSES),
               "models": {m: models[m].to_dict() for m in MODES}, "info": info}
    atomic_write_text(args.out, json.dumps(payload))
    print(f"\nwrote {args.out} (temperatures: "
          + ", ".join(f"{m} {models[m].temperature:.2f}" for m in MODES) + ")")
    if not args.skip_voice:
        from studio.critic import voice_reference

        voice_reference.main([])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
