"""Audio2Face-style blendshape JSON (NVIDIA Omniverse Audio2Face's "export blendshapes").

``{"exportFps", "trackPath", "numPoses", "numFrames", "facsNames", "weightMat"}``: ``facsNames``
are the 52 ARKit names and ``weightMat`` is frames x poses.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from controllers.errors import InputError
from synth.atomic import atomic_write_text
from synth.contracts import ARKIT_NAMES, FaceAnimation


def write_a2f(anim: FaceAnimation, path: str | Path, track_path: str = "face.wav") -> Path:
    """Write ``anim`` as Audio2Face blendshape JSON (atomic); returns the path."""
    data = {
        "exportFps": float(anim.fps),
        "trackPath": track_path,
        "numPoses": len(anim.names),
        "numFrames": anim.frames,
        "facsNames": list(anim.names),
        "weightMat": np.round(anim.weights.astype(np.float64), 5).tolist(),
    }
    atomic_write_text(path, json.dumps(data, separators=(",", ":")))
    return Path(path)


def read_a2f(path: str | Path) -> tuple[float, np.ndarray]:
    """``(fps, weights)`` of an Audio2Face JSON; weights (frames, 52) in ARKit order."""
    d = json.loads(Path(path).read_text())
    names = d["facsNames"]
    missing = sorted(set(ARKIT_NAMES) - set(names))
    if missing:
        raise InputError(f"{path}: missing ARKit names {', '.join(missing)}")
    mat = np.asarray(d["weightMat"], np.float32).reshape(int(d["numFrames"]), int(d["numPoses"]))
    return float(d["exportFps"]), mat[:, [names.index(n) for n in ARKIT_NAMES]]
