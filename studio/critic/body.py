"""Body emotion estimate: interpretable motion features of a :class:`BodyAnimation` -> VAD.

Features (hips-relative, so walking or swaying does not count as gesturing):

- ``hand_speed``: mean wrist speed, m/s (activation: H. G. Wallbott, "Bodily expression of
  emotion", Eur. J. Soc. Psychol. 28, 1998; faster, larger movement = higher arousal);
- ``hand_accel``: mean wrist acceleration, m/s^2 (sharp, abrupt strokes: anger, joy);
- ``head_speed``: mean speed of the face (a point between the eyes) relative to the hips, m/s
  (nods, shakes, bobbing);
- ``hand_amplitude``: mean spatial spread (RMS distance from their mean position) of the
  wrists, metres;
- ``openness``: mean distance between the wrists over shoulder width (expansive, open postures
  read as positive and dominant);
- ``hand_height``: mean wrist height above the hips over the hips-to-head distance;
- ``head_pitch``: mean head pitch, degrees, down positive (lowered head: sadness, submission);
- ``trunk_flex``: mean forward tilt of the upper chest, degrees (slumped = negative, low dominance).

Formula: each feature is standardised against the gesture generator's neutral output,
``z = (x - neutral) / scale``, and

    valence   = tanh(w_v . z + b_v)
    arousal   = tanh(w_a . z + b_a)
    dominance = tanh(w_d . z + b_d)

with weights fitted by ridge regression on the generator's output over a sweep of targets
(``python -m studio.critic.calibrate_body``) and stored in ``assets/critic/body.json``; the
defaults below are the literature-guided signs used before calibration. Category probabilities
are a softmax over the cosine between the estimated VAD point and each category prototype.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np

from controllers.assets import asset_path
from controllers.target import CATEGORIES, CATEGORY_VAD
from studio.critic.estimate import EmotionEstimate
from synth.contracts import BodyAnimation

BODY_FEATURES: tuple[str, ...] = ("hand_speed", "hand_accel", "head_speed", "hand_amplitude",
                                  "openness", "hand_height", "head_pitch", "trunk_flex")

#: Sharpness of the category softmax over cosine similarity.
CATEGORY_SHARPNESS = 4.0
#: VAD norm below which the body reads as neutral.
NEUTRAL_RADIUS = 0.15


def _joint(body: BodyAnimation, short: str) -> int:
    for i, name in enumerate(body.joint_names):
        if name.split(":")[-1] == short:
            return i
    raise KeyError(f"the body animation has no joint {short!r}")


def world_transforms(body: BodyAnimation) -> np.ndarray:
    """(frames, J, 4, 4) joint-to-world transforms in metres (forward kinematics of the
    contract's arrays: local rotations relative to rest, offsets in the parent's frame)."""
    from scipy.spatial.transform import Rotation

    frames, joints = body.rotations.shape[:2]
    local = Rotation.from_quat(np.asarray(body.rotations, np.float64).reshape(-1, 4)) \
        .as_matrix().reshape(frames, joints, 3, 3)
    offsets = np.asarray(body.offsets, np.float64) / 100.0
    world = np.zeros((frames, joints, 4, 4))
    world[..., 3, 3] = 1.0
    for j, parent in enumerate(np.asarray(body.parents)):
        if parent < 0:
            world[:, j, :3, :3] = local[:, j]
            world[:, j, :3, 3] = np.asarray(body.root_translation, np.float64) / 100.0
        else:
            parent_r = world[:, parent, :3, :3]
            world[:, j, :3, :3] = parent_r @ local[:, j]
            world[:, j, :3, 3] = world[:, parent, :3, 3] + parent_r @ offsets[j]
    return world


def motion_features(body: BodyAnimation) -> np.ndarray:
    """(len(BODY_FEATURES),) float64 motion features of a body animation (see module doc)."""
    if body.frames < 3:
        raise ValueError("a body animation needs at least 3 frames")
    world = world_transforms(body)
    pos = world[..., :3, 3]
    hips = pos[:, _joint(body, "Hips")]
    hands = np.stack([pos[:, _joint(body, "LeftHand")], pos[:, _joint(body, "RightHand")]], 1)
    rel = hands - hips[:, None]
    speed = np.linalg.norm(np.diff(rel, axis=0), axis=-1).mean() * body.fps
    accel = np.linalg.norm(np.diff(rel, 2, axis=0), axis=-1).mean() * body.fps ** 2
    amplitude = np.sqrt(((rel - rel.mean(0)) ** 2).sum(-1).mean())
    shoulders = np.linalg.norm(pos[:, _joint(body, "LeftArm")] - pos[:, _joint(body, "RightArm")],
                               axis=-1)
    openness = (np.linalg.norm(hands[:, 0] - hands[:, 1], axis=-1) / shoulders).mean()
    head = _joint(body, "Head")
    # A point between the eyes (10 cm up and forward of the head joint) moves with nods and turns.
    face_point = pos[:, head] + world[:, head, :3, :3] @ np.array([0.0, 0.1, 0.1])
    head_speed = np.linalg.norm(np.diff(face_point - hips, axis=0), axis=-1).mean() * body.fps
    torso = np.linalg.norm(pos[:, head] - hips, axis=-1)
    height = (rel[..., 1].mean(1) / torso).mean()
    forward = world[:, head, :3, :3] @ np.array([0.0, 0.0, 1.0])  # character faces +Z
    head_pitch = np.degrees(np.arcsin(np.clip(-forward[:, 1], -1, 1))).mean()
    up = world[:, _joint(body, "Spine2"), :3, :3] @ np.array([0.0, 1.0, 0.0])
    trunk_flex = np.degrees(np.arctan2(up[:, 2], up[:, 1])).mean()
    return np.array([speed, accel, head_speed, amplitude, openness, height, head_pitch,
                     trunk_flex], np.float64)


@dataclass
class BodyCalibration:
    """Neutral reference, scales and linear weights of the body formula."""

    neutral: np.ndarray = field(default_factory=lambda: np.array(
        [0.2, 2.5, 0.012, 0.09, 1.3, 0.2, 0.0, 0.0]))
    """(8,) feature values of a neutral delivery."""
    scale: np.ndarray = field(default_factory=lambda: np.array(
        [0.1, 2.0, 0.006, 0.03, 0.2, 0.07, 8.0, 4.0]))
    """(8,) feature spread over emotional deliveries (one z unit)."""
    weights: np.ndarray = field(default_factory=lambda: np.array([
        # speed, accel, head_speed, amplitude, openness, height, head_pitch, trunk_flex
        [0.05, 0.00, 0.00, 0.05, 0.30, 0.10, -0.35, -0.25],  # valence: open, head/chest up
        [0.25, 0.30, 0.15, 0.15, 0.05, 0.10, 0.00, 0.00],    # arousal: fast, sharp, large
        [0.05, 0.05, 0.00, 0.10, 0.25, 0.05, -0.40, -0.30],  # dominance: expansive, head up
    ]))
    """(3, 8) rows valence, arousal, dominance."""
    bias: np.ndarray = field(default_factory=lambda: np.zeros(3))
    """(3,) offsets of valence, arousal, dominance."""
    info: dict = field(default_factory=dict)
    """How and on what the calibration was fitted."""

    def to_dict(self) -> dict:
        return {"features": list(BODY_FEATURES), "neutral": self.neutral.tolist(),
                "scale": self.scale.tolist(), "weights": self.weights.tolist(),
                "bias": self.bias.tolist(), "info": self.info}

    @classmethod
    def from_dict(cls, d: dict) -> BodyCalibration:
        if tuple(d["features"]) != BODY_FEATURES:
            raise ValueError("body calibration was made for other features; recalibrate")
        return cls(np.asarray(d["neutral"]), np.asarray(d["scale"]), np.asarray(d["weights"]),
                   np.asarray(d["bias"]), dict(d.get("info", {})))


class BodyEmotionEstimator:
    """Motion features -> VAD with the shipped calibration (``assets/critic/body.json``)."""

    _shared: ClassVar[BodyEmotionEstimator | None] = None

    def __init__(self, calibration: BodyCalibration) -> None:
        self.calibration = calibration

    @classmethod
    def load(cls, path: str | Path | None = None) -> BodyEmotionEstimator:
        """The shipped calibration, or the defaults when none was shipped (cached)."""
        if path is None and cls._shared is not None:
            return cls._shared
        file = Path(path) if path else asset_path("critic", "body.json")
        calib = (BodyCalibration.from_dict(json.loads(file.read_text())) if file.exists()
                 else BodyCalibration(info={"source": "uncalibrated defaults"}))
        estimator = cls(calib)
        if path is None:
            cls._shared = estimator
        return estimator

    def vad(self, features: np.ndarray) -> np.ndarray:
        """(3,) valence, arousal, dominance in (-1, 1) of a (8,) feature vector."""
        c = self.calibration
        z = (np.asarray(features, float) - c.neutral) / c.scale
        return np.tanh(c.weights @ z + c.bias)

    def estimate(self, body: BodyAnimation) -> EmotionEstimate:
        """The body's emotion (modality ``"body"``)."""
        feats = motion_features(body)
        v, a, d = self.vad(feats)
        probs = category_probabilities(v, a, d)
        return EmotionEstimate("body", probs, float(v), float(a), float(d),
                               max(probs.values()),
                               {"features": {n: round(float(x), 4)
                                             for n, x in zip(BODY_FEATURES, feats)}})


def category_probabilities(v: float, a: float, d: float) -> dict[str, float]:
    """Softmax over the cosine of the VAD point with each category prototype; "neutral" scores
    by how close the point lies to the origin (2 at the origin, 1 at ``NEUTRAL_RADIUS``, where it
    ties with a perfectly aligned category, as in controllers.target.nearest_category)."""
    point = np.array([v, a, d])
    norm = float(np.linalg.norm(point))
    scores = {}
    for name in CATEGORIES:
        proto = np.array(CATEGORY_VAD[name])
        if name == "neutral":
            scores[name] = max(2.0 - norm / NEUTRAL_RADIUS, -1.0)
        else:
            scores[name] = float(point @ proto / (norm * np.linalg.norm(proto) + 1e-9))
    s = np.array([scores[c] for c in CATEGORIES]) * CATEGORY_SHARPNESS
    p = np.exp(s - s.max())
    p /= p.sum()
    return {c: float(x) for c, x in zip(CATEGORIES, p)}
