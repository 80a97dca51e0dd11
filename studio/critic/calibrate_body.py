"""Calibrate the body formula (:mod:`studio.critic.body`) on the gesture generator's output.

    python -m studio.critic.calibrate_body [--out assets/critic/body.json]

Renders the neutral voice's timelines of a few sentences, animates them with
``synth.gesture.animate_body`` (head following ``synth.face.animate_face``, as in a take) over a sweep of targets (every category at three intensities, plus
a valence-arousal-dominance grid, two seeds), and fits the formula: the neutral reference is the
mean of the neutral renders, one z unit is the feature's spread over the sweep, and each of
valence, arousal, dominance is a ridge regression of ``arctanh(target)`` on the z-scores.
Prints the fitted weights and the leave-one-sentence-out correlation of each dimension.
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import numpy as np

from controllers.assets import asset_path
from controllers.target import CATEGORIES, EmotionTarget
from studio.critic.body import BODY_FEATURES, BodyCalibration, motion_features

#: Sentences of the sweep (emotionally neutral wording, varied length).
SWEEP_TEXTS: tuple[str, ...] = (
    "The meeting has been moved to the second floor on Thursday.",
    "Please put the blue folder back on the shelf when you are done.",
    "The train leaves the station at a quarter past nine every morning.",
    "We will need to buy more paper for the printer next week.",
    "My brother painted the fence in the garden last summer.",
)
RIDGE = 10.0


def sweep_targets() -> list[EmotionTarget]:
    targets = [EmotionTarget.from_category(c, i) for c in CATEGORIES if c != "neutral"
               for i in (0.3, 0.6, 1.0)]
    grid = (-0.6, 0.0, 0.6)
    targets += [EmotionTarget.from_vad(v, a, d) for v, a, d in itertools.product(grid, grid, grid)]
    return targets + [EmotionTarget.neutral()] * 3


def collect(texts=SWEEP_TEXTS, seeds=(0, 1), progress: bool = True):
    """(features (n, 8), targets (n, 3) VAD, text index (n,), neutral mask (n,))."""
    from tqdm import tqdm

    from synth.face import animate_face
    from synth.gesture import animate_body
    from synth.tts import Voice

    voice = Voice.load()
    timelines = [voice.synthesize(t).timeline for t in texts]
    rows, vads, groups, neutral = [], [], [], []
    jobs = [(k, t, s) for k in range(len(texts)) for t in sweep_targets() for s in seeds]
    for k, target, seed in tqdm(jobs, desc="body sweep", disable=not progress, mininterval=5):
        face = animate_face(timelines[k], target, seed=seed)  # the head follows the face's
        body = animate_body(timelines[k], target, seed=seed, text=texts[k], face=face)
        rows.append(motion_features(body))
        vads.append(target.vad)
        groups.append(k)
        neutral.append(target.category == "neutral" and target.intensity == 0)
    return np.array(rows), np.array(vads), np.array(groups), np.array(neutral)


def fit(features: np.ndarray, vad: np.ndarray, neutral: np.ndarray) -> BodyCalibration:
    ref = features[neutral].mean(0)
    scale = features.std(0) + 1e-6
    z = (features - ref) / scale
    y = np.arctanh(np.clip(vad, -0.9, 0.9))
    zc = np.hstack([z, np.ones((len(z), 1))])
    reg = RIDGE * np.eye(zc.shape[1])
    reg[-1, -1] = 0.0
    w = np.linalg.solve(zc.T @ zc + reg, zc.T @ y)  # (features + 1, 3)
    return BodyCalibration(ref, scale, w[:-1].T, w[-1])


def main(argv: list[str] | None = None) -> int:
    from synth.atomic import atomic_write_text

    parser = argparse.ArgumentParser(prog="python -m studio.critic.calibrate_body",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(asset_path("critic", "body.json")))
    parser.add_argument("--cache", help="npz of the sweep's features (reused when present)")
    args = parser.parse_args(argv)
    if args.cache and Path(args.cache).exists():
        d = np.load(args.cache)
        features, vad, groups, neutral = d["features"], d["vad"], d["groups"], d["neutral"]
    else:
        features, vad, groups, neutral = collect()
        if args.cache:
            np.savez(args.cache, features=features, vad=vad, groups=groups, neutral=neutral)
    corr = []
    for dim in range(3):
        pred = np.zeros(len(vad))
        for g in np.unique(groups):
            test = groups == g
            c = fit(features[~test], vad[~test], neutral[~test])
            z = (features[test] - c.neutral) / c.scale
            pred[test] = np.tanh(z @ c.weights[dim] + c.bias[dim])
        corr.append(float(np.corrcoef(pred, vad[:, dim])[0, 1]))
    calib = fit(features, vad, neutral)
    calib.info = {"source": "synth.gesture.animate_body sweep", "renders": int(len(vad)),
                  "leave_one_sentence_out_r": dict(zip(("valence", "arousal", "dominance"),
                                                       [round(r, 3) for r in corr]))}
    atomic_write_text(args.out, json.dumps(calib.to_dict(), indent=1))
    print("feature   " + " ".join(f"{n[:10]:>10}" for n in BODY_FEATURES))
    print("neutral   " + " ".join(f"{x:10.3f}" for x in calib.neutral))
    print("scale     " + " ".join(f"{x:10.3f}" for x in calib.scale))
    for name, row, b in zip(("valence", "arousal", "dominance"), calib.weights, calib.bias):
        print(f"{name:<10}" + " ".join(f"{x:10.3f}" for x in row) + f"   bias {b:+.3f}")
    print("leave-one-sentence-out correlation: " + ", ".join(
        f"{k} {v:.2f}" for k, v in calib.info["leave_one_sentence_out_r"].items()))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
