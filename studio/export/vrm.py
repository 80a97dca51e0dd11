"""VRM 1.0 expression presets (``VRMC_vrm.expressions.preset``) as curves, for VRM avatars.

``face.vrm.json``: ``{"specVersion": "1.0", "fps", "frames", "preset": {name: [w per frame]},
"custom": {"fear": [...], "disgust": [...]}}``, every weight in [0, 1]:

* lip sync ``aa ih ou ee oh`` from the Oculus visemes (vowels, plus the consonants' nearest
  vowel mouth at a lower weight; /p b m f v/ leave the mouth to ``neutral``);
* ``blink``, ``blinkLeft``, ``blinkRight`` from ``eyeBlink*``; ``lookUp/Down/Left/Right`` from
  the eye rotations (1 at 25 degrees);
* emotions ``happy angry sad relaxed surprised`` (+ custom ``fear`` and ``disgust``, which VRM has
  no preset for): the non-negative projection of the face's upper-face and lip-corner shapes
  onto each category's expression (``synth.face.expression``), so a VRM avatar shows the same
  emotion with its own artist-made expressions.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from synth.atomic import atomic_write_text
from synth.contracts import ARKIT_NAMES, OCULUS_VISEMES, FaceAnimation

#: VRM lip-sync preset -> (Oculus viseme, weight) contributions.
VRM_LIPSYNC: dict[str, tuple[tuple[str, float], ...]] = {
    "aa": (("aa", 1.0), ("kk", 0.4)),
    "ih": (("ih", 1.0), ("SS", 0.5), ("CH", 0.3), ("DD", 0.4), ("nn", 0.4), ("TH", 0.4)),
    "ou": (("ou", 1.0), ("RR", 0.5), ("CH", 0.3)),
    "ee": (("E", 1.0),),
    "oh": (("oh", 1.0),),
}
#: VRM emotion preset (or custom expression) -> studio category.
VRM_EMOTIONS: dict[str, str] = {"happy": "happiness", "angry": "anger", "sad": "sadness",
                                "relaxed": "calm", "surprised": "surprise",
                                "fear": "fear", "disgust": "disgust"}
#: Shapes that carry emotion rather than speech (used for the emotion projection).
EMOTION_SHAPES: tuple[str, ...] = tuple(
    n for n in ARKIT_NAMES if n.startswith(("brow", "cheek", "nose", "eyeSquint", "eyeWide"))
) + ("mouthSmileLeft", "mouthSmileRight", "mouthFrownLeft", "mouthFrownRight",
     "mouthDimpleLeft", "mouthDimpleRight", "mouthStretchLeft", "mouthStretchRight")
#: Eye rotation in degrees at which a VRM look preset reaches 1.
LOOK_RANGE_DEG = 25.0


def emotion_curves(anim: FaceAnimation) -> dict[str, np.ndarray]:
    """(frames,) weight of each VRM emotion: the face's projection on each category's pose."""
    from controllers.target import EmotionTarget
    from synth.face.expression import expression_weights

    cols = [anim.names.index(n) for n in EMOTION_SHAPES]
    w = anim.weights[:, cols].astype(np.float64)
    out = {}
    for preset, category in VRM_EMOTIONS.items():
        proto = expression_weights(EmotionTarget.from_category(category, 1.0)).astype(np.float64)
        p = proto[[ARKIT_NAMES.index(n) for n in EMOTION_SHAPES]]
        norm = float(p @ p)
        out[preset] = np.clip(w @ p / norm, 0.0, 1.0) if norm > 0 else np.zeros(anim.frames)
    return out


def vrm_curves(anim: FaceAnimation) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """``(preset, custom)``: VRM expression name -> (frames,) weights in [0, 1]."""
    vis = {v: anim.visemes[:, i] for i, v in enumerate(OCULUS_VISEMES)}
    preset: dict[str, np.ndarray] = {}
    for name, parts in VRM_LIPSYNC.items():
        preset[name] = np.clip(sum(share * vis[v] for v, share in parts), 0.0, 1.0)
    left, right = anim.curve("eyeBlinkLeft"), anim.curve("eyeBlinkRight")
    preset["blink"] = np.minimum(left, right)
    preset["blinkLeft"], preset["blinkRight"] = left - preset["blink"], right - preset["blink"]
    yaw, pitch = anim.eyes[:, :, 0].mean(axis=1), anim.eyes[:, :, 1].mean(axis=1)
    preset["lookLeft"] = np.clip(yaw / LOOK_RANGE_DEG, 0, 1)
    preset["lookRight"] = np.clip(-yaw / LOOK_RANGE_DEG, 0, 1)
    preset["lookDown"] = np.clip(pitch / LOOK_RANGE_DEG, 0, 1)
    preset["lookUp"] = np.clip(-pitch / LOOK_RANGE_DEG, 0, 1)
    emotions = emotion_curves(anim)
    custom = {name: emotions.pop(name) for name in ("fear", "disgust")}
    preset.update(emotions)
    preset["neutral"] = np.clip(1.0 - np.max(np.stack(list(emotions.values())), axis=0), 0, 1)
    return preset, custom


def write_vrm(anim: FaceAnimation, path: str | Path) -> Path:
    """Write the VRM 1.0 expression curves of ``anim`` as JSON (atomic); returns the path."""
    preset, custom = vrm_curves(anim)

    def rounded(curves: dict[str, np.ndarray]) -> dict[str, list[float]]:
        return {k: np.round(v.astype(np.float64), 4).tolist() for k, v in curves.items()}

    data = {"specVersion": "1.0", "fps": float(anim.fps), "frames": anim.frames,
            "preset": rounded(preset), "custom": rounded(custom)}
    atomic_write_text(path, json.dumps(data, separators=(",", ":")))
    return Path(path)
