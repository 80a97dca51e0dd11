"""Analytic two-bone inverse kinematics (arm: shoulder-elbow-wrist; leg: hip-knee-ankle).

Vectorised over frames with scipy rotations. The middle joint stays a pure hinge (its rotation
is about the rest hinge axis only), so elbows and knees never twist or bend sideways.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.transform import Rotation


def unit(v: np.ndarray) -> np.ndarray:
    """Vectors ``(..., 3)`` scaled to length 1 (zero vectors stay ~0)."""
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-9)


def rotation_between(a: np.ndarray, b: np.ndarray) -> Rotation:
    """The smallest rotations taking unit vector(s) ``a`` (3,) or (n, 3) onto ``b`` (n, 3)."""
    a = np.broadcast_to(unit(np.asarray(a, float)), b.shape)
    b = unit(b)
    axis = np.cross(a, b)
    sin = np.linalg.norm(axis, axis=-1)
    cos = np.sum(a * b, axis=-1)
    angle = np.arctan2(sin, cos)
    # Opposite vectors: any axis perpendicular to a.
    fallback = np.cross(a, np.array([1.0, 0.0, 0.0]))
    weak = np.linalg.norm(fallback, axis=-1) < 1e-3
    fallback[weak] = np.cross(a[weak], np.array([0.0, 1.0, 0.0]))
    axis = np.where((sin < 1e-9)[:, None], fallback, axis)
    return Rotation.from_rotvec(unit(axis) * angle[:, None])


@dataclass(frozen=True)
class TwoBoneChain:
    """Rest geometry of a two-bone limb, in the rest (world-aligned) frame."""

    upper_direction: np.ndarray
    """(3,) unit rest direction of the upper bone (shoulder to elbow)."""
    lower_direction: np.ndarray
    """(3,) unit rest direction of the lower bone (elbow to wrist)."""
    hinge: np.ndarray
    """(3,) unit rest hinge axis; a positive rotation about it flexes the middle joint."""
    upper_length: float
    """cm."""
    lower_length: float
    """cm."""
    reach: float = 0.97
    """Largest root-to-end distance as a fraction of the chain length (keeps the hinge bent a
    little, so its plane stays defined)."""

    @property
    def rest_flexion(self) -> float:
        """Signed rest angle of the middle joint about the hinge, radians."""
        a, b = self.upper_direction, self.lower_direction
        return float(np.arctan2(np.dot(np.cross(a, b), self.hinge), np.dot(a, b)))

    def solve(self, root: np.ndarray, parent_world: Rotation, target: np.ndarray,
              pole: np.ndarray) -> tuple[Rotation, Rotation, np.ndarray, np.ndarray]:
        """Local rotations that bring the chain's end to ``target``.

        Parameters
        ----------
        root : (frames, 3) world position of the upper joint, cm.
        parent_world : world rotation of the upper joint's parent (``frames`` rotations).
        target : (frames, 3) wanted end position, cm (pulled in when out of reach).
        pole : (frames, 3) world direction the middle joint should bend towards.

        Returns
        -------
        upper, lower : local rotations (relative to rest) of the upper and middle joints.
        middle, end : (frames, 3) world positions reached by the middle joint and the end.
        """
        l1, l2 = self.upper_length, self.lower_length
        offset = target - root
        dist = np.linalg.norm(offset, axis=-1)
        direction = unit(offset)
        dist = np.clip(dist, abs(l1 - l2) + 0.05 * min(l1, l2), self.reach * (l1 + l2))
        cos_a = np.clip((l1**2 + dist**2 - l2**2) / (2 * l1 * dist), -1.0, 1.0)
        sin_a = np.sqrt(1.0 - cos_a**2)
        bend = pole - np.sum(pole * direction, axis=-1, keepdims=True) * direction
        bend = unit(bend)
        middle = root + l1 * (cos_a[:, None] * direction + sin_a[:, None] * bend)
        end = root + dist[:, None] * direction
        upper_world = unit(middle - root)
        lower_world = unit(end - middle)

        inv = parent_world.inv()
        u = inv.apply(upper_world)
        f = inv.apply(lower_world)
        swing = rotation_between(self.upper_direction, u)
        swung_hinge = swing.apply(self.hinge)
        wanted_hinge = unit(np.cross(u, f))
        twist = np.arctan2(np.sum(np.cross(swung_hinge, wanted_hinge) * u, axis=-1),
                           np.sum(swung_hinge * wanted_hinge, axis=-1))
        upper = Rotation.from_rotvec(u * twist[:, None]) * swing
        flexion = np.arccos(np.clip(np.sum(u * f, axis=-1), -1.0, 1.0)) - self.rest_flexion
        lower = Rotation.from_rotvec(self.hinge[None, :] * flexion[:, None])
        return upper, lower, middle, end
