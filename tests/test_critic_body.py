"""Body emotion estimate on animations of the real avatar rig."""

from __future__ import annotations

import numpy as np
import pytest

from studio.critic.body import (BODY_FEATURES, BodyEmotionEstimator, category_probabilities,
                                motion_features)
from synth.contracts import BodyAnimation


@pytest.fixture(scope="module")
def skeleton():
    from synth.avatar.rig import Skeleton

    return Skeleton.load()


def _animation(sk, frames=90, fps=30.0, arm_swing_deg=0.0, swing_hz=0.0, head_pitch_deg=0.0,
               chest_flex_deg=0.0, nod_deg=0.0) -> BodyAnimation:
    rot = np.zeros((frames, len(sk.names), 4), np.float32)
    rot[..., 3] = 1.0
    t = np.arange(frames) / fps

    def about(axis, deg):
        half = np.radians(deg) / 2
        q = np.zeros(np.shape(deg) + (4,))
        q[..., :3] = np.asarray(axis) * np.sin(half)[..., None]
        q[..., 3] = np.cos(half)
        return q

    swing = arm_swing_deg * np.sin(2 * np.pi * swing_hz * t)
    rot[:, sk.index("LeftArm")] = about([0, 0, 1], swing)       # raise left arm sideways = +Z
    rot[:, sk.index("RightArm")] = about([0, 0, 1], -swing)
    rot[:, sk.index("LeftForeArm")] = about([0, 1, 0], -(30 + swing / 2))
    rot[:, sk.index("RightForeArm")] = about([0, 1, 0], 30 + swing / 2)
    nod = nod_deg * np.sin(2 * np.pi * 2.0 * t)  # head beats at 2 Hz
    rot[:, sk.index("Head")] = about([1, 0, 0], head_pitch_deg + nod)  # down = +X
    rot[:, sk.index("Spine2")] = about([1, 0, 0], np.full(frames, chest_flex_deg))
    root = np.tile(np.asarray(sk.rest_positions[0]) * 100.0, (frames, 1)).astype(np.float32)
    return BodyAnimation(fps, tuple(sk.names), np.asarray(sk.parents), np.asarray(sk.offsets_cm),
                         rot, root)


def test_motion_features_measure_what_they_say(skeleton):
    still = motion_features(_animation(skeleton))
    waving = motion_features(_animation(skeleton, arm_swing_deg=35, swing_hz=1.5))
    slumped = motion_features(_animation(skeleton, head_pitch_deg=20, chest_flex_deg=15))
    f = {n: i for i, n in enumerate(BODY_FEATURES)}
    assert still[f["hand_speed"]] < 0.01 and waving[f["hand_speed"]] > 0.3      # m/s
    assert waving[f["hand_amplitude"]] > still[f["hand_amplitude"]] + 0.05       # m
    assert slumped[f["head_pitch"]] == pytest.approx(20 + 15, abs=6)             # degrees down
    assert slumped[f["trunk_flex"]] == pytest.approx(15, abs=3)
    assert abs(still[f["head_pitch"]]) < 2 and abs(still[f["trunk_flex"]]) < 2


def test_estimates_follow_the_motion(skeleton):
    est = BodyEmotionEstimator.load()
    calm = est.estimate(_animation(skeleton, arm_swing_deg=5, swing_hz=0.3))
    agitated = est.estimate(_animation(skeleton, arm_swing_deg=40, swing_hz=2.0, nod_deg=8))
    slumped = est.estimate(_animation(skeleton, arm_swing_deg=5, swing_hz=0.3,
                                      head_pitch_deg=20, chest_flex_deg=15))
    assert agitated.arousal > calm.arousal + 0.3
    assert slumped.dominance < calm.dominance - 0.2
    assert slumped.valence < calm.valence - 0.2
    assert abs(sum(agitated.probabilities.values()) - 1) < 1e-6
    assert set(agitated.extra["features"]) == set(BODY_FEATURES)


def test_estimates_on_the_gesture_generator():
    from synth.face import animate_face
    from synth.gesture import animate_body
    from synth.tts import Voice

    from controllers.target import EmotionTarget

    timeline = Voice.load().synthesize("Please put the blue folder on the second shelf.").timeline
    est = BodyEmotionEstimator.load()
    readings = {}
    for category in ("sadness", "anger", "happiness"):
        target = EmotionTarget.from_category(category, 0.8)
        face = animate_face(timeline, target, seed=0)
        readings[category] = est.estimate(animate_body(timeline, target, seed=0, face=face))
    assert readings["anger"].arousal > readings["sadness"].arousal + 0.4
    assert readings["happiness"].valence > readings["sadness"].valence + 0.4
    assert readings["sadness"].category == "sadness"


def test_category_probabilities_follow_the_vad_point():
    def top(p):
        return max(p, key=p.get)

    assert top(category_probabilities(0.0, 0.0, 0.0)) == "neutral"
    assert top(category_probabilities(-0.6, -0.3, -0.3)) == "sadness"
    assert top(category_probabilities(-0.5, 0.6, 0.3)) == "anger"
    assert top(category_probabilities(-0.6, 0.6, -0.4)) == "fear"
