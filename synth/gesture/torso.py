"""A simple torso volume for keeping the hands out of the body.

An elliptic cylinder in the chest frame (the ``Spine2`` joint's frame): semi-axes from the
skeleton's shoulder width (half-width 0.92 x the shoulder joints' half distance, depth 0.72 x
that; typical adult chest proportions), spanning from the hip joints to the neck (hands hanging by the thighs are not in it).
Points are given relative to the ``Spine2`` joint in its rest-aligned frame, centimetres.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synth.gesture.rig import BodyRig


@dataclass(frozen=True)
class TorsoModel:
    """Elliptic cylinder around the trunk, in the chest frame (cm)."""

    half_width: float
    """Semi-axis along X, cm."""
    half_depth: float
    """Semi-axis along Z, cm."""
    center_z: float
    """Z of the axis relative to the Spine2 joint, cm."""
    bottom: float
    """Lowest Y relative to the Spine2 joint, cm (the hip joints)."""
    top: float
    """Highest Y relative to the Spine2 joint, cm (the neck)."""

    @classmethod
    def from_rig(cls, rig: BodyRig) -> TorsoModel:
        """The trunk's cylinder around Spine2, sized from ``rig``'s shoulder width (cm)."""
        chest = rig.rest("Spine2")
        shoulder = 0.5 * abs(rig.rest("LeftArm")[0] - rig.rest("RightArm")[0])
        hips = rig.rest("Hips")
        return cls(half_width=0.92 * shoulder, half_depth=0.72 * shoulder,
                   center_z=float(hips[2] - chest[2]) * 0.5 + 1.0,
                   bottom=float(rig.rest("LeftUpLeg")[1] - chest[1]),
                   top=float(rig.rest("Neck")[1] - chest[1]))

    def clearance(self, points: np.ndarray) -> np.ndarray:
        """(...,) approximate distance of chest-frame points (..., 3) outside the surface, cm
        (negative inside); points above or below the cylinder count as far outside."""
        x = points[..., 0]
        z = points[..., 2] - self.center_z
        ell = np.sqrt((x / self.half_width) ** 2 + (z / self.half_depth) ** 2)
        radius = np.sqrt(x**2 + z**2)
        boundary = radius / np.maximum(ell, 1e-9)
        dist = radius - boundary
        outside_span = (points[..., 1] < self.bottom) | (points[..., 1] > self.top)
        return np.where(outside_span, np.inf, dist)

    def push_out(self, points: np.ndarray, margin: float) -> np.ndarray:
        """Chest-frame points (..., 3) moved horizontally (away from the trunk's axis) until they
        are at least ``margin`` cm outside the surface."""
        out = points.copy()
        x = points[..., 0]
        z = points[..., 2] - self.center_z
        ell = np.sqrt((x / (self.half_width + margin)) ** 2 + (z / (self.half_depth + margin)) ** 2)
        inside = (ell < 1.0) & (points[..., 1] >= self.bottom) & (points[..., 1] <= self.top)
        scale = np.where(inside, 1.0 / np.maximum(ell, 1e-6), 1.0)
        out[..., 0] = x * scale
        out[..., 2] = z * scale + self.center_z
        return out
