"""``face.arkit.json``: the FaceAnimation as plain JSON with ARKit blendshape names.

Layout: ``fps``, ``frames``, ``names`` (the 52 ARKit names), ``weights`` (frames x 52 in
[0, 1]), ``head`` (frames x 3: yaw, pitch, roll in degrees; yaw left +, pitch down +),
``eyes`` (frames x 2 x 2: [left, right] x [yaw, pitch] in degrees), ``viseme_names`` and
``visemes`` (frames x 15 Oculus viseme weights).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from controllers.errors import InputError
from synth.atomic import atomic_write_text
from synth.contracts import ARKIT_NAMES, OCULUS_VISEMES, FaceAnimation


def arkit_dict(anim: FaceAnimation) -> dict:
    """The JSON-ready dictionary of :func:`write_arkit` (weights rounded to 1e-4)."""
    return {
        "fps": float(anim.fps),
        "frames": anim.frames,
        "names": list(anim.names),
        "weights": np.round(anim.weights.astype(np.float64), 4).tolist(),
        "head_axes": ["yaw", "pitch", "roll"],
        "head": np.round(anim.head.astype(np.float64), 3).tolist(),
        "eyes_layout": "[left, right] x [yaw, pitch], degrees",
        "eyes": np.round(anim.eyes.astype(np.float64), 3).tolist(),
        "viseme_names": list(OCULUS_VISEMES),
        "visemes": np.round(anim.visemes.astype(np.float64), 4).tolist(),
    }


def write_arkit(anim: FaceAnimation, path: str | Path) -> Path:
    """Write ``anim`` as ``face.arkit.json`` (atomic); returns the path."""
    atomic_write_text(path, json.dumps(arkit_dict(anim), separators=(",", ":")))
    return Path(path)


def read_arkit(path: str | Path) -> FaceAnimation:
    """Load a ``face.arkit.json``; columns are reordered by name into :data:`ARKIT_NAMES`."""
    d = json.loads(Path(path).read_text())
    names = d["names"]
    missing = sorted(set(ARKIT_NAMES) - set(names))
    if missing:
        raise InputError(f"{path}: missing ARKit blendshapes {', '.join(missing)}")
    raw = np.asarray(d["weights"], np.float32).reshape(-1, len(names))
    weights = raw[:, [names.index(n) for n in ARKIT_NAMES]]
    frames = weights.shape[0]
    head = np.asarray(d.get("head") or np.zeros((frames, 3)), np.float32).reshape(frames, 3)
    eyes = np.asarray(d.get("eyes") or np.zeros((frames, 2, 2)), np.float32).reshape(frames, 2, 2)
    vis = np.asarray(d.get("visemes") or np.zeros((frames, len(OCULUS_VISEMES))), np.float32)
    return FaceAnimation(float(d["fps"]), weights, head, eyes,
                         vis.reshape(frames, len(OCULUS_VISEMES)), ARKIT_NAMES)
