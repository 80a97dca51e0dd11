"""Live Link Face CSV (Epic's iPhone app; Unreal's LiveLinkFaceImporter and many DCC add-ons).

Header as the app writes it: ``Timecode,BlendShapeCount,`` + the 52 blendshapes in PascalCase in
the app's own column order (:data:`LLF_BLENDSHAPES`, which differs from Apple's ARKit order,
e.g. ``JawForward,JawRight,JawLeft,JawOpen``), then head and eye rotations
(:data:`LLF_ROTATIONS`). ``BlendShapeCount`` is 61 (52 + 9). ``Timecode`` is
``HH:MM:SS:FF.fff``: frame ``FF`` within the second at the take's fps, ``.fff`` the sub-frame.
Columns are written by name, never by index. Rotations are in radians (yaw left +, pitch down +).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from controllers.errors import InputError
from synth.atomic import atomic_write_text
from synth.contracts import ARKIT_NAMES, OCULUS_VISEMES, FaceAnimation

#: The 52 blendshape columns in Live Link Face's order (PascalCase).
LLF_BLENDSHAPES: tuple[str, ...] = (
    "EyeBlinkLeft", "EyeLookDownLeft", "EyeLookInLeft", "EyeLookOutLeft", "EyeLookUpLeft",
    "EyeSquintLeft", "EyeWideLeft", "EyeBlinkRight", "EyeLookDownRight", "EyeLookInRight",
    "EyeLookOutRight", "EyeLookUpRight", "EyeSquintRight", "EyeWideRight",
    "JawForward", "JawRight", "JawLeft", "JawOpen",
    "MouthClose", "MouthFunnel", "MouthPucker", "MouthRight", "MouthLeft",
    "MouthSmileLeft", "MouthSmileRight", "MouthFrownLeft", "MouthFrownRight",
    "MouthDimpleLeft", "MouthDimpleRight", "MouthStretchLeft", "MouthStretchRight",
    "MouthRollLower", "MouthRollUpper", "MouthShrugLower", "MouthShrugUpper",
    "MouthPressLeft", "MouthPressRight", "MouthLowerDownLeft", "MouthLowerDownRight",
    "MouthUpperUpLeft", "MouthUpperUpRight",
    "BrowDownLeft", "BrowDownRight", "BrowInnerUp", "BrowOuterUpLeft", "BrowOuterUpRight",
    "CheekPuff", "CheekSquintLeft", "CheekSquintRight", "NoseSneerLeft", "NoseSneerRight",
    "TongueOut",
)

#: Head and eye rotation columns after the blendshapes.
LLF_ROTATIONS: tuple[str, ...] = (
    "HeadYaw", "HeadPitch", "HeadRoll", "LeftEyeYaw", "LeftEyePitch", "LeftEyeRoll",
    "RightEyeYaw", "RightEyePitch", "RightEyeRoll",
)

#: The full header row.
LLF_HEADER: tuple[str, ...] = ("Timecode", "BlendShapeCount") + LLF_BLENDSHAPES + LLF_ROTATIONS


def pascal(name: str) -> str:
    """``"eyeBlinkLeft"`` -> ``"EyeBlinkLeft"``."""
    return name[:1].upper() + name[1:]


def timecode(frame: int, fps: float) -> str:
    """``HH:MM:SS:FF.fff`` of frame ``frame`` counted from 00:00:00:00 at ``fps``."""
    seconds = frame / fps
    whole = int(np.floor(seconds + 1e-9))
    sub_frames = (seconds - whole) * fps
    ff = int(np.floor(sub_frames + 1e-6))
    frac = int(round((sub_frames - ff) * 1000)) % 1000
    h, rem = divmod(whole, 3600)
    m, s = divmod(rem, 60)
    return f"{h:02d}:{m:02d}:{s:02d}:{ff:02d}.{frac:03d}"


def parse_timecode(text: str, fps: float) -> float:
    """Seconds of an ``HH:MM:SS:FF[.fff]`` timecode at ``fps``."""
    try:
        h, m, s, f = text.split(":")
        return int(h) * 3600 + int(m) * 60 + int(s) + float(f) / fps
    except ValueError as exc:
        raise InputError(f"bad Live Link Face timecode {text!r}; expected HH:MM:SS:FF.fff") from exc


def write_llf(anim: FaceAnimation, path: str | Path) -> Path:
    """Write ``anim`` as a Live Link Face CSV (atomic); returns the path."""
    by_name = {pascal(n): anim.weights[:, i] for i, n in enumerate(anim.names)}
    missing = [n for n in LLF_BLENDSHAPES if n not in by_name]
    if missing:
        raise InputError(f"animation lacks blendshapes {', '.join(missing)}")
    rad = np.deg2rad(anim.head.astype(np.float64))
    eyes = np.deg2rad(anim.eyes.astype(np.float64))
    zeros = np.zeros(anim.frames)
    columns = [by_name[n] for n in LLF_BLENDSHAPES] + [
        rad[:, 0], rad[:, 1], rad[:, 2],
        eyes[:, 0, 0], eyes[:, 0, 1], zeros, eyes[:, 1, 0], eyes[:, 1, 1], zeros]
    values = np.stack(columns, axis=1)
    buf = io.StringIO()
    buf.write(",".join(LLF_HEADER) + "\n")
    count = len(LLF_BLENDSHAPES) + len(LLF_ROTATIONS)
    row_format = ",".join(["%.6f"] * values.shape[1])  # one format per row: several times faster
    for i, row in enumerate(values.tolist()):
        buf.write(f"{timecode(i, anim.fps)},{count},")
        buf.write(row_format % tuple(row))
        buf.write("\n")
    atomic_write_text(path, buf.getvalue())
    return Path(path)


def read_llf(path: str | Path, fps: float = 60.0) -> FaceAnimation:
    """Load a Live Link Face CSV by column name (visemes are not stored: zeros)."""
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        raise InputError(f"{path}: empty Live Link Face CSV")
    header = [h.strip() for h in rows[0]]
    col = {n: i for i, n in enumerate(header)}
    missing = [n for n in LLF_BLENDSHAPES if n not in col]
    if missing:
        raise InputError(f"{path}: missing Live Link Face columns {', '.join(missing)}")
    data = rows[1:]
    weights = np.array([[float(r[col[pascal(n)]]) for n in ARKIT_NAMES] for r in data],
                       np.float32).reshape(len(data), len(ARKIT_NAMES))

    def rot(name: str) -> np.ndarray:
        if name not in col:
            return np.zeros(len(data))
        return np.degrees([float(r[col[name]]) for r in data])

    head = np.stack([rot("HeadYaw"), rot("HeadPitch"), rot("HeadRoll")], axis=1)
    eyes = np.stack([np.stack([rot("LeftEyeYaw"), rot("LeftEyePitch")], 1),
                     np.stack([rot("RightEyeYaw"), rot("RightEyePitch")], 1)], axis=1)
    return FaceAnimation(fps, weights, head.astype(np.float32).reshape(-1, 3),
                         eyes.astype(np.float32).reshape(-1, 2, 2),
                         np.zeros((len(data), len(OCULUS_VISEMES)), np.float32), ARKIT_NAMES)
