"""Posed avatar vertices over time from a :class:`FaceAnimation` and/or a :class:`BodyAnimation`.

Both are resampled to one output frame rate (the face runs at 60 fps, the body at 30 fps, a
preview video at 30): blendshape weights and root translation linearly, joint rotations by
normalised quaternion interpolation. Without a body, the face's head rotation (yaw, pitch, roll)
turns the neck and head joints (40 % neck, 60 % head); with a body, the body's Neck/Head rotations
are authoritative (``synth.gesture.animate_body(..., face=face)`` already folds the face's head
motion into them), unless ``head_from_face=True`` asks to add it on top. The face's ``eyes``
angles are not applied: the eyes follow the eyeLook* blendshapes, which already encode gaze.

Example
-------
>>> clip = PosedSequence(face=face_anim, body=body_anim, fps=30)
>>> len(clip), clip.vertices(0).shape      # frames, (V, 3) metres
"""

from __future__ import annotations

from functools import cached_property
from typing import Iterator

import numpy as np

from synth.avatar.mesh import Avatar
from synth.avatar.rig import Skeleton
from synth.avatar.skinning import identity_rotations, pose, skin, skin_weights, skinning_matrices
from synth.contracts import BodyAnimation, FaceAnimation

#: Share of the face's head rotation given to the neck joint (the rest goes to the head joint).
NECK_SHARE = 0.4


def head_rotation_quaternions(head_deg: np.ndarray) -> np.ndarray:
    """(frames, 4) xyzw quaternions of head rotations (frames, 3) = yaw, pitch, roll in degrees.

    Yaw turns towards the character's left (+Y), pitch tilts the face down (+X), roll is about +Z
    (positive tips the top of the head towards the character's right). Applied yaw, then pitch,
    then roll in the head's frame.
    """
    from scipy.spatial.transform import Rotation

    head = np.asarray(head_deg, dtype=np.float64).reshape(-1, 3)
    return Rotation.from_euler("YXZ", head, degrees=True).as_quat().astype(np.float32)


def _sample_linear(values: np.ndarray, src_fps: float, times: np.ndarray) -> np.ndarray:
    """Linear interpolation of (frames, ...) ``values`` at ``times`` seconds (clamped at the ends)."""
    pos = np.clip(times * src_fps, 0, len(values) - 1)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, len(values) - 1)
    frac = (pos - lo).reshape((-1,) + (1,) * (values.ndim - 1))
    return values[lo] * (1 - frac) + values[hi] * frac


def _sample_quaternions(q: np.ndarray, src_fps: float, times: np.ndarray) -> np.ndarray:
    """Normalised-lerp interpolation of (frames, J, 4) quaternions at ``times`` seconds."""
    pos = np.clip(times * src_fps, 0, len(q) - 1)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, len(q) - 1)
    a, b = q[lo], q[hi]
    b = np.where(np.sum(a * b, axis=-1, keepdims=True) < 0, -b, b)   # shortest arc
    frac = (pos - lo)[:, None, None]
    out = a * (1 - frac) + b * frac
    return out / np.linalg.norm(out, axis=-1, keepdims=True)


def _quat_multiply(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(n, 4) xyzw Hamilton product ``a * b`` of (n, 4) xyzw quaternions: ``b`` applied first."""
    from scipy.spatial.transform import Rotation

    return (Rotation.from_quat(a) * Rotation.from_quat(b)).as_quat()


class PosedSequence:
    """Per-frame avatar vertices for a face and/or body animation, at ``fps``.

    Parameters
    ----------
    face : blendshape and head animation (or None: neutral face, still head).
    body : skeletal animation on :class:`Skeleton` joint names (or None: rest A-pose).
    fps : output frames per second.
    duration : length in seconds; the longer of the two animations when None.
    head_from_face : apply the face's head rotation to the Neck/Head joints; by default only
        when there is no body animation (which carries the head motion itself).
    """

    def __init__(self, face: FaceAnimation | None = None, body: BodyAnimation | None = None,
                 fps: float = 30.0, duration: float | None = None, avatar: Avatar | None = None,
                 head_from_face: bool | None = None):
        if face is None and body is None and duration is None:
            raise ValueError("give a face animation, a body animation or a duration")
        self.face, self.body, self.fps = face, body, float(fps)
        self.head_from_face = body is None if head_from_face is None else bool(head_from_face)
        self.avatar = avatar if avatar is not None else Avatar.load()
        self.skeleton = Skeleton.load(self.avatar.spec)   # the rig of the avatar's body
        if duration is None:
            duration = max(a.duration for a in (face, body) if a is not None)
        self.duration = float(duration)
        if body is not None and tuple(body.joint_names) != self.skeleton.names:
            missing = set(body.joint_names) - set(self.skeleton.names)
            if missing:
                raise ValueError(f"body animation has joints not in the avatar's rig: {sorted(missing)[:5]}")

    def __len__(self) -> int:
        return max(1, int(np.ceil(self.duration * self.fps - 1e-6)))

    @cached_property
    def times(self) -> np.ndarray:
        """(frames,) float64 frame times in seconds."""
        return np.arange(len(self)) / self.fps

    @cached_property
    def weights(self) -> np.ndarray | None:
        """(frames, 52) float32 blendshape weights at the output rate, or None."""
        if self.face is None:
            return None
        return _sample_linear(np.asarray(self.face.weights, np.float32), self.face.fps, self.times)

    @cached_property
    def rotations(self) -> np.ndarray | None:
        """(frames, J, 4) float32 joint rotations at the output rate (None: nothing moves a joint)."""
        n_joints = len(self.skeleton.names)
        rot = None
        if self.body is not None:
            src = np.asarray(self.body.rotations, np.float32)
            order = [list(self.body.joint_names).index(n) if n in self.body.joint_names else -1
                     for n in self.skeleton.names]
            full = identity_rotations(n_joints, len(src))
            for j, k in enumerate(order):
                if k >= 0:
                    full[:, j] = src[:, k]
            rot = _sample_quaternions(full, self.body.fps, self.times).astype(np.float32)
        if self.head_from_face and self.face is not None and np.any(self.face.head):
            head = _sample_linear(np.asarray(self.face.head, np.float32), self.face.fps, self.times)
            if rot is None:
                rot = identity_rotations(n_joints, len(self))
            for joint, share in (("Neck", NECK_SHARE), ("Head", 1.0 - NECK_SHARE)):
                j = self.skeleton.index(joint)
                rot[:, j] = _quat_multiply(rot[:, j], head_rotation_quaternions(head * share))
        return rot

    @cached_property
    def root_translation(self) -> np.ndarray | None:
        """(frames, 3) root position in metres at the output rate, or None."""
        if self.body is None:
            return None
        return _sample_linear(np.asarray(self.body.root_translation, np.float64) / 100.0,
                              self.body.fps, self.times)

    def vertices(self, frame: int) -> np.ndarray:
        """(V, 3) float32 posed vertices of one output frame, metres."""
        verts = self.avatar.vertices if self.weights is None else self.avatar.apply_face(self.weights[frame])
        if self.rotations is None:
            return verts
        root = None if self.root_translation is None else self.root_translation[frame]
        world = pose(self.skeleton, self.rotations[frame], root)
        return skin(verts, skinning_matrices(self.skeleton, world), skin_weights(self.avatar.spec))

    def __iter__(self) -> Iterator[np.ndarray]:
        for k in range(len(self)):
            yield self.vertices(k)
