"""Visemes -> ARKit mouth shapes: articulation, a jaw that follows loudness, lips that close.

Three steps, each a plain function over arrays so it can be tested alone:

1. :func:`mouth_weights` turns (frames, 15) viseme weights into (frames, 52) ARKit mouth
   weights through :data:`VISEME_SHAPES`, with ``jawOpen`` scaled by the loudness of the audio
   (:func:`loudness_curve`, from :attr:`Timeline.energy`), so a shout opens wider than a murmur
   and silence rests with the jaw closed.
2. :func:`closure_gate` is 1 while the lips must be sealed for /p b m/ (from just before the
   phoneme's onset to the release burst), with raised-cosine ramps so the mouth never pops.
3. :func:`seal_lips` applies the gate to a finished pose (speech + emotion + idle): every shape
   that parts the lips is suppressed and ``mouthClose``/``mouthPress`` seal them, while shapes
   that do not part them (a smile's corners, a frown) are left alone, so a smile and a closed
   /m/ coexist.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d

from synth.contracts import ARKIT_NAMES, OCULUS_VISEMES, Timeline
from synth.face.ramps import raised_cosine
from synth.face.shapes import ARKIT_INDEX
from synth.face.shapes import both_sides as _both
from synth.face.visemes import bilabial_intervals


#: ARKit mouth pose of each viseme at full articulation (jawOpen before loudness scaling).
VISEME_POSES: dict[str, dict[str, float]] = {
    "sil": {},
    "PP": {"jawOpen": 0.04, **_both("mouthPress", 0.35)},
    "FF": {"jawOpen": 0.1, "mouthRollLower": 0.65, **_both("mouthUpperUp", 0.2),
           "mouthShrugUpper": 0.15},
    "TH": {"jawOpen": 0.18, "tongueOut": 0.35, **_both("mouthLowerDown", 0.15)},
    "DD": {"jawOpen": 0.22, **_both("mouthLowerDown", 0.15), **_both("mouthStretch", 0.1)},
    "kk": {"jawOpen": 0.26, **_both("mouthLowerDown", 0.1), **_both("mouthStretch", 0.1)},
    "CH": {"jawOpen": 0.15, "mouthFunnel": 0.55, "mouthPucker": 0.3,
           **_both("mouthUpperUp", 0.2), **_both("mouthLowerDown", 0.2)},
    "SS": {"jawOpen": 0.08, **_both("mouthStretch", 0.35), **_both("mouthUpperUp", 0.15),
           **_both("mouthLowerDown", 0.15)},
    "nn": {"jawOpen": 0.16, **_both("mouthLowerDown", 0.1)},
    "RR": {"jawOpen": 0.16, "mouthPucker": 0.45, "mouthFunnel": 0.3},
    "aa": {"jawOpen": 0.6, **_both("mouthLowerDown", 0.3), **_both("mouthUpperUp", 0.1)},
    "E": {"jawOpen": 0.4, **_both("mouthStretch", 0.25), **_both("mouthLowerDown", 0.25),
          **_both("mouthUpperUp", 0.1)},
    "ih": {"jawOpen": 0.24, **_both("mouthStretch", 0.4), **_both("mouthSmile", 0.1),
           **_both("mouthLowerDown", 0.12)},
    "oh": {"jawOpen": 0.45, "mouthFunnel": 0.6, "mouthPucker": 0.25},
    "ou": {"jawOpen": 0.22, "mouthPucker": 0.85, "mouthFunnel": 0.4},
}


def _pose_matrix() -> np.ndarray:
    mat = np.zeros((len(OCULUS_VISEMES), len(ARKIT_NAMES)), np.float32)
    for v, pose in VISEME_POSES.items():
        for name, w in pose.items():
            mat[OCULUS_VISEMES.index(v), ARKIT_INDEX[name]] = w
    return mat


#: (15, 52) float32: row ``v`` is the ARKit pose of viseme ``v``.
VISEME_SHAPES: np.ndarray = _pose_matrix()

#: Energy in dBFS below which a whole recording counts as silent.
SILENCE_DBFS = -55.0

#: Shapes that part the lips on the avatar (measured with ``synth.face.lipgap``), suppressed
#: while the lips are sealed.
LIP_PARTING: tuple[str, ...] = (
    "jawOpen", "mouthFunnel", "mouthLowerDownLeft", "mouthLowerDownRight", "mouthUpperUpLeft",
    "mouthUpperUpRight", "tongueOut", "mouthShrugUpper", "mouthShrugLower", "mouthRollUpper",
    "mouthRollLower", "jawForward", "jawLeft", "jawRight",
)


@dataclass
class LipsyncConfig:
    """Gains of the mouth animation."""

    articulation: float = 1.0
    """Scale of all viseme mouth shapes (1 = :data:`VISEME_POSES` as written)."""
    jaw_floor: float = 0.3
    """Fraction of a viseme's jaw opening kept at the quietest speech (the rest follows
    loudness)."""
    loudness_range_db: float = 30.0
    """Energy below the take's loud level, in dB, that maps to loudness 0."""
    smoothing_s: float = 0.015
    """Standard deviation of the Gaussian smoothing of the mouth curves, in seconds."""
    seal_lead_s: float = 0.02
    """How long before a bilabial's onset the lips are already sealed, in seconds."""
    seal_ramp_s: float = 0.045
    """Duration of the closing and opening ramps around a seal, in seconds."""
    seal_release: float = 0.8
    """Fraction of a bilabial's interval after which the lips open for the burst."""
    min_seal_s: float = 0.05
    """Shortest full seal, in seconds (a short /b/ still shows a visible closure)."""
    seal: bool = True
    """Seal the lips on /p b m/ (False only for comparisons: the visemes alone then shape them)."""


def loudness_curve(timeline: Timeline, times: np.ndarray, range_db: float = 30.0) -> np.ndarray:
    """(frames,) float loudness in [0, 1] at ``times`` seconds, from :attr:`Timeline.energy`.

    0 is ``range_db`` below the take's loud level (its 95th percentile of energy), 1 at it.
    Without an energy curve, 1 everywhere (the visemes alone then drive the jaw); a recording
    whose loud level is under :data:`SILENCE_DBFS` is silent (0 everywhere).
    """
    energy = np.asarray(timeline.energy, np.float64)
    if energy.size < 2:
        return np.ones_like(times)
    energy_times = np.arange(energy.size) * timeline.hop
    db = np.interp(times, energy_times, energy)
    loud = float(np.percentile(energy, 95))
    if loud < SILENCE_DBFS:  # a silent recording: nothing to articulate
        return np.zeros_like(times)
    return np.clip((db - (loud - range_db)) / range_db, 0.0, 1.0)


def energy_visemes(loudness: np.ndarray) -> np.ndarray:
    """(frames, 15) viseme weights from loudness alone, for audio with no phoneme timing.

    Loud frames become an open vowel blend (aa, E, oh), quiet ones silence: the energy-based
    fallback of the audio-only path.
    """
    weights = np.zeros((loudness.size, len(OCULUS_VISEMES)), np.float32)
    weights[:, OCULUS_VISEMES.index("sil")] = 1.0 - loudness
    for name, share in (("aa", 0.5), ("E", 0.3), ("oh", 0.2)):
        weights[:, OCULUS_VISEMES.index(name)] = share * loudness
    return weights


def mouth_weights(visemes: np.ndarray, loudness: np.ndarray, fps: float,
                  config: LipsyncConfig | None = None) -> np.ndarray:
    """(frames, 52) float32 ARKit mouth weights from (frames, 15) visemes and (frames,) loudness."""
    config = config or LipsyncConfig()
    weights = (visemes @ VISEME_SHAPES) * config.articulation
    jaw = ARKIT_INDEX["jawOpen"]
    weights[:, jaw] *= config.jaw_floor + (1.0 - config.jaw_floor) * loudness
    sigma = config.smoothing_s * fps
    if sigma > 0.3:
        weights = gaussian_filter1d(weights, sigma, axis=0, mode="nearest")
    return np.clip(weights, 0.0, 1.0).astype(np.float32)


def closure_gate(timeline: Timeline, times: np.ndarray,
                 config: LipsyncConfig | None = None) -> np.ndarray:
    """(frames,) float in [0, 1]: 1 while the lips are sealed for a /p b m/.

    The seal runs from ``seal_lead_s`` before the phoneme's onset to ``seal_release`` of its
    interval (the burst), at least ``min_seal_s`` long, with raised-cosine ramps of
    ``seal_ramp_s`` on both sides; overlapping seals merge.
    """
    config = config or LipsyncConfig()
    gate = np.zeros_like(times, dtype=np.float64)
    if not config.seal:
        return gate
    ramp = config.seal_ramp_s
    for start, end in bilabial_intervals(timeline):
        a = start - config.seal_lead_s
        b = max(start + config.seal_release * (end - start), a + config.min_seal_s)
        rise = np.clip((times - (a - ramp)) / ramp, 0.0, 1.0)
        fall = np.clip(((b + ramp) - times) / ramp, 0.0, 1.0)
        gate = np.maximum(gate, raised_cosine(np.minimum(rise, fall)))
    return gate


def seal_lips(weights: np.ndarray, gate: np.ndarray, press: float = 0.3) -> np.ndarray:
    """Seal the lips of a (frames, 52) pose where ``gate`` (frames,) is 1; returns a new array.

    Lip-parting shapes are scaled by ``1 - gate`` (the jaw keeps 15% so the face does not
    clench), ``mouthClose`` takes the remaining jaw opening (ARKit's lips-together-with-jaw-open),
    and ``mouthPress`` rises by ``press * gate``. Corners (smile, frown, stretch) are untouched.
    """
    out = np.array(weights, np.float32, copy=True)
    g = gate.astype(np.float32)[:, None]
    parting = [ARKIT_INDEX[n] for n in LIP_PARTING]
    jaw = ARKIT_INDEX["jawOpen"]
    out[:, parting] *= 1.0 - g
    out[:, jaw] = weights[:, jaw] * (1.0 - 0.85 * g[:, 0])
    close = ARKIT_INDEX["mouthClose"]
    out[:, close] = np.maximum(out[:, close] * (1.0 - g[:, 0]), out[:, jaw] * g[:, 0])
    for side in ("mouthPressLeft", "mouthPressRight"):
        out[:, ARKIT_INDEX[side]] = np.maximum(out[:, ARKIT_INDEX[side]], press * g[:, 0])
    return np.clip(out, 0.0, 1.0)


def lip_aperture(weights: np.ndarray, names: tuple[str, ...] = ARKIT_NAMES) -> np.ndarray:
    """(frames,) float: how far the lips are apart, in ARKit weight units (0 = sealed).

    The jaw opening not cancelled by ``mouthClose`` plus the shapes that pull the lips apart
    (lower lip down, upper lip up, funnel). Used to check closures without rendering.
    """
    col = {n: i for i, n in enumerate(names)}
    w = np.asarray(weights, np.float64)
    jaw_gap = np.clip(w[:, col["jawOpen"]] - w[:, col["mouthClose"]], 0.0, None)
    lower = 0.5 * (w[:, col["mouthLowerDownLeft"]] + w[:, col["mouthLowerDownRight"]])
    upper = 0.5 * (w[:, col["mouthUpperUpLeft"]] + w[:, col["mouthUpperUpRight"]])
    return jaw_gap + 0.5 * lower + 0.4 * upper + 0.3 * w[:, col["mouthFunnel"]]
