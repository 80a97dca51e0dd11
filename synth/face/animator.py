"""Timeline + emotion -> :class:`FaceAnimation`: the talking head of one take.

Layers, combined in this order:

1. speech: coarticulated visemes -> mouth shapes, jaw following loudness (``lipsync``);
2. emotion: FACS expression along the plan (``expression``);
3. non-verbal: blinks, gaze, brow raises, head motion (``nonverbal``);
4. the lip seal for /p b m/ on the combined pose, so that every layer respects it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.ndimage import gaussian_filter1d

from controllers.character import Character
from controllers.errors import InputError
from controllers.target import EmotionPlan, EmotionTarget
from synth.contracts import ARKIT_NAMES, FaceAnimation, Speech, Timeline
from synth.face.expression import ExpressionConfig, as_plan, expression_track
from synth.face.lipsync import (LipsyncConfig, closure_gate, energy_visemes, loudness_curve,
                                mouth_weights, seal_lips)
from synth.face.nonverbal import CATEGORY_POSTURE, NonverbalConfig, nonverbal_track
from synth.face.performance import performed_config, resting_weights
from synth.face.plan_timing import segment_weights
from synth.face.shapes import ARKIT_INDEX
from synth.face.visemes import viseme_weights


@dataclass
class FaceConfig:
    """Everything that shapes the face animation."""

    lipsync: LipsyncConfig = field(default_factory=LipsyncConfig)
    expression: ExpressionConfig = field(default_factory=ExpressionConfig)
    nonverbal: NonverbalConfig = field(default_factory=NonverbalConfig)
    speech_damping: float = 0.2
    """How much an expression's own mouth opening (jaw drop, lip parting) yields to speech."""
    silence_relax: float = 0.5
    """How much an expression's own jaw drop relaxes in pauses and silence (0 = held)."""


def _posture(plan: EmotionPlan, mix: np.ndarray) -> np.ndarray:
    """(frames, 3) head offset in degrees from each segment's category posture and dominance."""
    rows = []
    for seg in plan.segments:
        t = seg.target
        base = np.array(CATEGORY_POSTURE.get(t.category or "neutral", (0.0, 0.0, 0.0)))
        scale = t.intensity if t.category not in (None, "neutral") else 0.0
        rows.append(base * scale + np.array([0.0, -3.0 * t.dominance, 0.0]))
    return mix @ np.array(rows)


def combine(mouth: np.ndarray, expression: np.ndarray, nonverbal: np.ndarray,
            talking: np.ndarray, speech_damping: float = 0.2,
            silence_relax: float = 0.5) -> np.ndarray:
    """(frames, 52) pose from the speech, expression and non-verbal layers (each (frames, 52)).

    Layers add, except: the jaw is a soft union (``1 - (1-a)(1-b)``) of speech and emotion; an
    expression's own mouth opening yields to speech while ``talking`` (frames,) in [0, 1] (a
    smoothed speech activity) and relaxes in silence; a pucker narrows a smile; blinks and
    drooping lids combine as a union.
    """
    expr = np.array(expression, np.float32, copy=True)
    damp = (1.0 - speech_damping * talking)[:, None].astype(np.float32)
    for name in ("mouthLowerDownLeft", "mouthLowerDownRight"):
        expr[:, [ARKIT_INDEX[name]]] *= damp
    relax = 1.0 - silence_relax * (1.0 - talking)
    expr[:, [ARKIT_INDEX["jawOpen"]]] *= (damp * relax[:, None]).astype(np.float32)
    out = mouth + expr + nonverbal
    jaw = ARKIT_INDEX["jawOpen"]
    out[:, jaw] = 1.0 - (1.0 - mouth[:, jaw]) * (1.0 - expr[:, jaw])
    pucker = mouth[:, ARKIT_INDEX["mouthPucker"]] + mouth[:, ARKIT_INDEX["mouthFunnel"]]
    for side in ("mouthSmileLeft", "mouthSmileRight"):
        out[:, ARKIT_INDEX[side]] *= 1.0 - 0.5 * np.clip(pucker, 0.0, 1.0)
    for side in ("eyeBlinkLeft", "eyeBlinkRight"):
        i = ARKIT_INDEX[side]
        out[:, i] = 1.0 - (1.0 - expr[:, i]) * (1.0 - nonverbal[:, i])
    # wide eyes give way to a blink
    for side in ("Left", "Right"):
        out[:, ARKIT_INDEX[f"eyeWide{side}"]] *= 1.0 - nonverbal[:, ARKIT_INDEX[f"eyeBlink{side}"]]
    return np.clip(out, 0.0, 1.0)


def animate_face(timeline: Timeline | Speech,
                 plan_or_target: EmotionPlan | EmotionTarget | None = None,
                 seed: int = 0, fps: float = 60.0,
                 config: FaceConfig | None = None,
                 character: Character | None = None) -> FaceAnimation:
    """The face animation of a take.

    Parameters
    ----------
    timeline : Timeline or Speech
        What is said when (phonemes, words, syllables in seconds; energy dB; F0 Hz).
    plan_or_target : EmotionPlan, EmotionTarget or None
        The emotion(s) to show; None is neutral. A plan's segments change along its text.
    seed : int
        Seed of the non-verbal randomness (blinks, gaze, head drift).
    fps : float
        Frames per second of the curves.
    config : FaceConfig or None
        The animator's settings (None: the defaults).
    character : Character or None
        Who performs (:mod:`synth.face.performance`): its blink rate, head-motion energy and
        resting expression (held underneath every expression); None is the studio's default
        style. A resting-expression name that is not an ARKit blendshape raises InputError.

    Returns
    -------
    FaceAnimation
        ``frames = ceil(duration * fps) + 1`` frames (frame ``i`` at ``i / fps`` s): weights
        (frames, 52) in [0, 1], head (frames, 3) degrees, eyes (frames, 2, 2) degrees, visemes
        (frames, 15).
    """
    if isinstance(timeline, Speech):
        timeline = timeline.timeline
    if not (0.0 < fps <= 1000.0):
        raise InputError(f"fps {fps} is not accepted; give a frame rate in (0, 1000]")
    if not np.isfinite(timeline.duration) or timeline.duration < 0:
        raise InputError(f"timeline duration {timeline.duration} s is not a length in seconds")
    config = config or FaceConfig()
    resting = None
    if character is not None:
        if not isinstance(character, Character):
            raise InputError(f"character must be a Character, got {type(character).__name__}")
        resting = resting_weights(character)
        config = performed_config(config, character)
    frames = int(np.ceil(timeline.duration * fps)) + 1
    times = np.arange(frames) / fps
    plan = as_plan(plan_or_target, timeline)

    loud = loudness_curve(timeline, times, config.lipsync.loudness_range_db)
    if timeline.phonemes or timeline.energy.size < 2:
        visemes = viseme_weights(timeline, fps, frames)
    else:  # audio with no recognised phonemes: the loudness alone moves the mouth
        visemes = energy_visemes(loud)
    mouth = mouth_weights(visemes, loud, fps, config.lipsync)

    expression, vad = expression_track(timeline, plan, times, config.expression)
    if resting is not None and resting.any():
        expression = expression + resting[None, :]
    posture = _posture(plan, segment_weights(timeline, plan, times))
    nv = nonverbal_track(timeline, times, vad, posture, seed, config.nonverbal)

    # speech activity: everything but silence, smoothed over ~0.15 s
    talking = np.clip(gaussian_filter1d(1.0 - visemes[:, 0], 0.15 * fps, mode="nearest"), 0, 1)
    pose = combine(mouth, expression, nv.weights, talking, config.speech_damping,
                   config.silence_relax)
    pose = seal_lips(pose, closure_gate(timeline, times, config.lipsync))
    return FaceAnimation(fps=float(fps), weights=pose.astype(np.float32), head=nv.head,
                         eyes=nv.eyes, visemes=visemes, names=ARKIT_NAMES)
