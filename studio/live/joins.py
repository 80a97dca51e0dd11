"""Continuity where chunks meet: the next frames start from where the last ones left off.

Each chunk's face and body come from a fresh run of the animators over the recent phrases,
so the first new frame may differ a little from the last frame already sent (a blink drawn
elsewhere, a gesture re-planned now that more words are known); at the start of a line
after another one the difference is the whole pose. :func:`blend_in` removes it: the
difference is added to the new frames and fades out over :data:`JOIN_S` with a raised
cosine, so the pose is continuous and its speed changes gently. Bone rotations are corrected
by a rotation that fades from the difference to none (scaled rotation vectors).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.transform import Rotation

#: Seconds over which a join's difference fades out.
JOIN_S = 0.25


@dataclass
class AvatarPose:
    """The avatar's pose in the last frames sent: what the next chunk continues from."""

    face: np.ndarray | None = None
    """(52,) ARKit weights of the last face frame."""
    head: np.ndarray | None = None
    """(3,) head yaw, pitch, roll in degrees."""
    eyes: np.ndarray | None = None
    """(2, 2) eye yaw and pitch in degrees."""
    rotations: np.ndarray | None = None
    """(joints, 4) bone rotations (xyzw) of the last body frame."""
    root: np.ndarray | None = None
    """(3,) root position in centimetres."""


def fade_weights(frames: int, fps: float, seconds: float = JOIN_S) -> np.ndarray:
    """(frames,) how much of a join's difference remains in each new frame: a raised cosine
    from 1 (just after the last frame sent) to 0 at ``seconds``."""
    n = max(1, int(round(seconds * fps)))
    k = np.minimum(np.arange(1, frames + 1) / n, 1.0)
    return (0.5 + 0.5 * np.cos(np.pi * k)).astype(np.float32)


def blend_in(values: np.ndarray, previous: np.ndarray | None, reference: np.ndarray,
             fps: float, lo: float | None = None, hi: float | None = None) -> np.ndarray:
    """``values`` (frames, ...) continued from ``previous`` (the last value sent, shape
    ``values.shape[1:]``): ``reference`` is what the new run gives at the last sent frame's
    time; their difference fades out over :data:`JOIN_S`. Clipped to [lo, hi] when given."""
    if previous is None or len(values) == 0:
        return values
    delta = np.asarray(previous, np.float32) - np.asarray(reference, np.float32)
    w = fade_weights(len(values), fps).reshape((-1,) + (1,) * delta.ndim)
    out = values + w * delta[None]
    if lo is not None or hi is not None:
        out = np.clip(out, lo, hi)
    return out.astype(np.float32)


def blend_in_rotations(rotations: np.ndarray, previous: np.ndarray | None,
                       reference: np.ndarray, fps: float) -> np.ndarray:
    """(frames, joints, 4) xyzw rotations continued from ``previous`` (joints, 4): each new
    frame is turned by the rotation from ``reference`` to ``previous``, scaled down to none
    over :data:`JOIN_S`."""
    if previous is None or len(rotations) == 0:
        return rotations
    frames, joints = rotations.shape[:2]
    correction = (Rotation.from_quat(previous) * Rotation.from_quat(reference).inv()).as_rotvec()
    w = fade_weights(frames, fps)
    turn = Rotation.from_rotvec((w[:, None, None] * correction[None]).reshape(-1, 3))
    out = (turn * Rotation.from_quat(rotations.reshape(-1, 4))).as_quat()
    out = out.reshape(frames, joints, 4)
    # keep each joint's quaternion on the same hemisphere as the frame before (no sign flips)
    before = np.concatenate([np.asarray(previous, np.float64)[None], out[:-1]])
    signs = np.cumprod(np.where(np.sum(before * out, axis=-1) < 0, -1.0, 1.0), axis=0)
    out *= signs[..., None]
    return out.astype(np.float32)
