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
    a = np.broadcast_to(unit(np.asarray(a, float)), b.shape).copy()
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
    """Largest root-to-end distance as a fraction of the straight chain's (keeps the hinge bent
    a little, so its plane stays defined)."""
    min_flexion: float = -np.inf
    """Smallest hinge rotation from rest, radians (e.g. the elbow may not open much past its
    rest angle)."""

    @property
    def max_distance(self) -> float:
        """Largest root-to-end distance the chain can reach with its hinge alone, cm, times
        :attr:`reach`."""
        l1, l2, h = self.upper_length, self.lower_length, self.hinge
        a0, a1 = self.upper_direction, self.lower_direction
        along = np.dot(a1, h) * h
        perp = a1 - along
        ca, cb = np.dot(a0, perp), np.dot(a0, np.cross(h, perp))
        straightest = np.arctan2(cb, ca)
        theta = max(straightest, self.min_flexion)
        reach = self.reach if theta == straightest else 1.0
        cos = np.dot(a0, along) + ca * np.cos(theta) + cb * np.sin(theta)
        return float(reach * np.sqrt(l1**2 + l2**2 + 2 * l1 * l2 * cos))

    def _flexion_for(self, dist: np.ndarray) -> np.ndarray:
        """Hinge angle (radians, about :attr:`hinge` from rest) at which the chain's end lies
        ``dist`` cm from its root. Exact for any rest geometry, also when the lower bone is not
        perpendicular to the hinge."""
        l1, l2, h = self.upper_length, self.lower_length, self.hinge
        a0, a1 = self.upper_direction, self.lower_direction
        along = np.dot(a1, h) * h
        perp = a1 - along
        c = np.dot(a0, along)
        ca = np.dot(a0, perp)
        cb = np.dot(a0, np.cross(h, perp))
        want = (dist**2 - l1**2 - l2**2) / (2 * l1 * l2)
        amp = max(np.hypot(ca, cb), 1e-9)
        straightest = np.arctan2(cb, ca)
        return straightest + np.arccos(np.clip((want - c) / amp, -1.0, 1.0))

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
        dist = np.clip(np.linalg.norm(offset, axis=-1), abs(l1 - l2) + 0.05 * min(l1, l2),
                       self.max_distance)
        inv = parent_world.inv()
        direction = unit(inv.apply(offset))            # in the parent's frame
        bend = inv.apply(pole)

        flexion = self._flexion_for(dist)
        lower = Rotation.from_rotvec(self.hinge[None, :] * flexion[:, None])
        end_rest = l1 * self.upper_direction + l2 * lower.apply(self.lower_direction)
        swing = rotation_between(end_rest, direction)
        # Twist about the root-to-end line so that the middle joint bends towards the pole.
        mid = swing.apply(np.tile(self.upper_direction, (len(end_rest), 1)))
        mid_perp = unit(mid - np.sum(mid * direction, axis=-1, keepdims=True) * direction)
        pole_perp = unit(bend - np.sum(bend * direction, axis=-1, keepdims=True) * direction)
        twist = np.arctan2(np.sum(np.cross(mid_perp, pole_perp) * direction, axis=-1),
                           np.sum(mid_perp * pole_perp, axis=-1))
        upper = Rotation.from_rotvec(direction * twist[:, None]) * swing
        middle = root + parent_world.apply(upper.apply(l1 * self.upper_direction))
        end = root + parent_world.apply(upper.apply(end_rest))
        return upper, lower, middle, end
