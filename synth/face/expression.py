"""Emotion -> facial expression: FACS action units mapped onto ARKit blendshapes.

Each category's prototype is a set of action units (AUs) from Ekman and Friesen's EMFACS
predictions (P. Ekman, W. V. Friesen and J. C. Hager, "Facial Action Coding System", 2002;
the prototypes as summarised in e.g. Matsumoto & Ekman's tables): happiness AU6+AU12,
sadness AU1+AU4+AU15(+AU17), anger AU4+AU5+AU7+AU23(+AU24), fear AU1+AU2+AU4+AU5+AU20+AU26,
surprise AU1+AU2+AU5+AU26, disgust AU9+AU15+AU16(+AU10). Every AU is a fixed combination of
ARKit shapes (:data:`AU_TO_ARKIT`). A target's expression is its category prototype scaled by
intensity, plus small valence/arousal/dominance terms (so a purely dimensional target, or a
mixture, still shows on the face), times per-category gains calibrated on the avatar.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from controllers.target import EmotionPlan, EmotionTarget, nearest_category
from synth.contracts import ARKIT_NAMES, Timeline
from synth.face.plan_timing import segment_weights
from synth.face.shapes import both_sides as _both


#: FACS action unit -> ARKit blendshape weights at the AU's full intensity (FACS "E").
AU_TO_ARKIT: dict[str, dict[str, float]] = {
    "AU1": {"browInnerUp": 1.0},                                        # inner brow raiser
    "AU2": _both("browOuterUp", 1.0),                                   # outer brow raiser
    "AU4": {**_both("browDown", 1.0)},                                  # brow lowerer
    "AU5": _both("eyeWide", 1.0),                                       # upper lid raiser
    "AU6": {**_both("cheekSquint", 1.0), **_both("eyeSquint", 0.4)},   # cheek raiser
    "AU7": _both("eyeSquint", 1.0),                                     # lid tightener
    "AU9": {**_both("noseSneer", 1.0), **_both("browDown", 0.2)},       # nose wrinkler
    "AU10": _both("mouthUpperUp", 1.0),                                 # upper lip raiser
    "AU12": _both("mouthSmile", 1.0),                                   # lip corner puller
    "AU14": _both("mouthDimple", 1.0),                                  # dimpler
    "AU15": _both("mouthFrown", 1.0),                                   # lip corner depressor
    "AU16": _both("mouthLowerDown", 1.0),                               # lower lip depressor
    "AU17": {"mouthShrugLower": 1.0},                                   # chin raiser
    "AU20": _both("mouthStretch", 1.0),                                 # lip stretcher
    "AU23": {**_both("mouthPress", 0.6), "mouthRollLower": 0.25,
             "mouthRollUpper": 0.25},                                   # lip tightener
    "AU24": _both("mouthPress", 1.0),                                   # lip pressor
    "AU25": {**_both("mouthLowerDown", 0.25), "jawOpen": 0.05},         # lips part
    "AU26": {"jawOpen": 1.0},                                           # jaw drop
    "AU43": _both("eyeBlink", 1.0),                                     # eyes closed (lids droop)
}

#: AU intensities (0..1) of each category's prototype at intensity 1.0.
#: Each uses only AUs of an EMFACS prototype of its emotion (plus AU43/AU6 lid narrowing on
#: disgust); the avatar's corrective shapes (:mod:`synth.avatar.correctives`) carry what its
#: ARKit targets lack (brows drawn down and in, the inner brows' slant, the nose wrinkle, the
#: nasolabial fold). The levels were chosen by eye on rendered frames and checked with the raw,
#: uncalibrated FER on speaking frames of the first 20 eval sentences (``bench/face.py``):
#: happiness and anger open-mouthed (6+12+25+26 with 10; EMFACS's "4+5+7+10+25/26"); sadness
#: with the inner brows up and only a little brow lowering and lid droop (more of either reads
#: as anger or fear); fear with raised brows drawn together over wide eyes and stretched lips
#: (1+2+4+5+20+26, what tells it from surprise); surprise with high outer brows, wide eyes and
#: the jaw dropped; disgust with the nose wrinkled, the upper lip raised, the corners and lower
#: lip pulled down and the eyes narrowed by the cheeks (9+10+15+16 with 6/7).
CATEGORY_AUS: dict[str, dict[str, float]] = {
    "neutral": {},
    "happiness": {"AU6": 1.0, "AU12": 1.0, "AU14": 0.5, "AU10": 0.6, "AU25": 1.0, "AU26": 0.35},
    "sadness": {"AU1": 0.8, "AU4": 0.35, "AU15": 1.0, "AU17": 0.8, "AU43": 0.1},
    "anger": {"AU4": 1.0, "AU5": 0.3, "AU7": 0.6, "AU9": 0.5, "AU10": 1.0, "AU16": 1.0,
              "AU17": 0.6, "AU23": 0.3, "AU25": 0.6, "AU26": 0.5},
    "fear": {"AU1": 1.0, "AU2": 0.7, "AU4": 0.5, "AU5": 1.0, "AU20": 1.0, "AU25": 0.6,
             "AU26": 0.4},
    "surprise": {"AU1": 0.4, "AU2": 1.0, "AU5": 1.0, "AU25": 0.3, "AU26": 0.85},
    "disgust": {"AU9": 1.0, "AU10": 1.0, "AU15": 1.0, "AU16": 0.8, "AU6": 1.0, "AU7": 0.3,
                "AU43": 0.35},
    "calm": {"AU12": 0.3, "AU6": 0.1, "AU43": 0.15},
}

#: Alternative prototypes, picked with :attr:`ExpressionConfig.variant` (the critic loop tries
#: one when the FER misreads a take). "strong": sadness with a lower inner brow, the chin
#: raised harder and heavier lids (AU1 0.6 + AU4 0.3 + AU15 + AU17 + AU43 0.2), for takes where
#: the default's raised inner brows read as fear.
CATEGORY_AU_VARIANTS: dict[str, dict[str, dict[str, float]]] = {
    "strong": {
        "sadness": {"AU1": 0.6, "AU4": 0.3, "AU15": 1.0, "AU17": 1.0, "AU43": 0.2},
    },
}


def _au_matrix() -> tuple[tuple[str, ...], np.ndarray]:
    aus = tuple(AU_TO_ARKIT)
    mat = np.zeros((len(aus), len(ARKIT_NAMES)), np.float64)
    for i, au in enumerate(aus):
        for name, w in AU_TO_ARKIT[au].items():
            mat[i, ARKIT_NAMES.index(name)] = w
    return aus, mat


AU_NAMES, AU_SHAPES = _au_matrix()
"""AU names in row order, and (AUs, 52) ARKit weights of each AU at full intensity."""


@dataclass
class ExpressionConfig:
    """Gains of the expressions on the avatar (its blendshapes are subtle)."""

    gain: float = 1.0
    """Overall scale of every expression."""
    category_gain: dict[str, float] = field(default_factory=lambda: {
        "neutral": 1.0, "happiness": 1.0, "sadness": 1.0, "anger": 1.0, "fear": 1.0,
        "surprise": 1.0, "disgust": 1.0, "calm": 1.0})
    """Extra scale per category, calibrated so each reads on the rendered avatar."""
    intensity_gamma: float = 0.7
    """Exponent mapping a target's intensity to its AU levels (< 1: a half-intensity emotion
    still shows clearly on the avatar's subtle shapes; perceived intensity is not linear)."""
    dimensional: float = 0.5
    """Weight of the valence/arousal/dominance terms added to the category prototype (scaled
    by ``1 - intensity``, so they shape weak and purely dimensional targets)."""
    variant: str | None = None
    """Name of an alternative prototype set in :data:`CATEGORY_AU_VARIANTS` (None: the default
    prototypes; a category the variant does not list keeps its default)."""


def vad_aus(valence: float, arousal: float, dominance: float) -> dict[str, float]:
    """AU intensities implied by a point in VAD space alone (each in [0, 1])."""
    v, a, d = valence, arousal, dominance
    return {
        "AU12": max(v, 0.0), "AU6": 0.6 * max(v, 0.0),
        "AU15": max(-v, 0.0), "AU4": 0.5 * max(-v, 0.0) + 0.4 * max(d, 0.0),
        "AU5": 0.6 * max(a, 0.0), "AU1": 0.4 * max(a, 0.0) + 0.6 * max(-d, 0.0),
        "AU2": 0.4 * max(a, 0.0), "AU43": 0.5 * max(-a, 0.0),
    }


def target_aus(target: EmotionTarget, config: ExpressionConfig | None = None) -> dict[str, float]:
    """AU intensities (0..1, before gains) of one emotion target."""
    config = config or ExpressionConfig()
    category, intensity = target.category, target.intensity
    if category is None:
        category, intensity = nearest_category(*target.vad)
    aus: dict[str, float] = {}
    shown = float(intensity) ** config.intensity_gamma if intensity > 0 else 0.0
    prototypes = {**CATEGORY_AUS, **CATEGORY_AU_VARIANTS.get(config.variant or "", {})}
    for au, level in prototypes.get(category, {}).items():
        aus[au] = aus.get(au, 0.0) + shown * level
    # the VAD terms colour what the prototype leaves open: a full-intensity category shows its
    # prototype alone (arousal's raised brows must not turn anger into fear)
    weight = config.dimensional * (1.0 - intensity if category != "neutral" else 1.0)
    for au, level in vad_aus(*target.vad).items():
        aus[au] = aus.get(au, 0.0) + weight * level
    return {au: min(1.0, level) for au, level in aus.items() if level > 0}


def expression_weights(target: EmotionTarget | None,
                       config: ExpressionConfig | None = None) -> np.ndarray:
    """(52,) float32 ARKit weights in [0, 1] of a static expression (no speech)."""
    config = config or ExpressionConfig()
    if target is None:
        return np.zeros(len(ARKIT_NAMES), np.float32)
    aus = target_aus(target, config)
    levels = np.array([aus.get(au, 0.0) for au in AU_NAMES])
    category = target.category or nearest_category(*target.vad)[0]
    gain = config.gain * config.category_gain.get(category, 1.0)
    return np.clip(gain * (levels @ AU_SHAPES), 0.0, 1.0).astype(np.float32)


def as_plan(plan_or_target: EmotionPlan | EmotionTarget | None, timeline: Timeline) -> EmotionPlan:
    """An :class:`EmotionPlan` for any emotion input (None is neutral over the whole take)."""
    if isinstance(plan_or_target, EmotionPlan):
        return plan_or_target
    target = plan_or_target if plan_or_target is not None else EmotionTarget.neutral()
    text = " ".join(w.text for w in timeline.words)
    return EmotionPlan.constant(text, target)


def expression_track(timeline: Timeline, plan: EmotionPlan, times: np.ndarray,
                     config: ExpressionConfig | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Expression along the take.

    Returns ``weights`` (frames, 52) float32 ARKit weights in [0, 1] and ``vad`` (frames, 3)
    float valence/arousal/dominance in force at each of ``times`` (seconds), cross-fading
    between the plan's segments.
    """
    mix = segment_weights(timeline, plan, times)
    poses = np.stack([expression_weights(s.target, config) for s in plan.segments])
    vads = np.array([s.target.vad for s in plan.segments], np.float64)
    return (mix @ poses).astype(np.float32), mix @ vads
