"""Oculus/Meta viseme curves as JSON (Oculus Lipsync, Ready Player Me ``viseme_*`` morphs).

``{"fps", "frames", "names" (the 15 Oculus visemes), "morph_names" (Ready Player Me's
``viseme_*`` names, same order), "weights" (frames x 15 in [0, 1]), "cues"}``; ``cues`` lists
the dominant viseme over time as ``{"start", "end", "viseme"}`` in seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from controllers.errors import InputError
from synth.atomic import atomic_write_text
from synth.contracts import OCULUS_VISEMES, FaceAnimation

#: Ready Player Me morph-target names of the 15 visemes, in :data:`OCULUS_VISEMES` order.
RPM_MORPHS: tuple[str, ...] = (
    "viseme_sil", "viseme_PP", "viseme_FF", "viseme_TH", "viseme_DD", "viseme_kk", "viseme_CH",
    "viseme_SS", "viseme_nn", "viseme_RR", "viseme_aa", "viseme_E", "viseme_I", "viseme_O",
    "viseme_U",
)


def viseme_cues(visemes: np.ndarray, fps: float) -> list[dict]:
    """Runs of the dominant viseme: ``[{"start": s, "end": s, "viseme": name}, ...]``."""
    top = np.argmax(visemes, axis=1)
    change = np.flatnonzero(np.diff(top)) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [len(top)]])
    return [{"start": round(a / fps, 4), "end": round(b / fps, 4),
             "viseme": OCULUS_VISEMES[int(top[a])]} for a, b in zip(starts, ends)]


def write_visemes(anim: FaceAnimation, path: str | Path) -> Path:
    """Write the viseme curves of ``anim`` as JSON (atomic); returns the path."""
    data = {
        "fps": float(anim.fps),
        "frames": anim.frames,
        "names": list(OCULUS_VISEMES),
        "morph_names": list(RPM_MORPHS),
        "weights": np.round(anim.visemes.astype(np.float64), 4).tolist(),
        "cues": viseme_cues(anim.visemes, anim.fps),
    }
    atomic_write_text(path, json.dumps(data, separators=(",", ":")))
    return Path(path)


def read_visemes(path: str | Path) -> tuple[float, np.ndarray, list[dict]]:
    """``(fps, weights (frames, 15) in OCULUS_VISEMES order, cues)`` of a visemes JSON."""
    d = json.loads(Path(path).read_text())
    names = d["names"]
    if sorted(names) != sorted(OCULUS_VISEMES):
        raise InputError(f"{path}: viseme names must be the 15 Oculus visemes")
    w = np.asarray(d["weights"], np.float32).reshape(-1, len(names))
    return float(d["fps"]), w[:, [names.index(n) for n in OCULUS_VISEMES]], d.get("cues", [])
