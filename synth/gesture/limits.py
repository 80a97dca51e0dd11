"""Human joint limits for the Mixamo skeleton: per joint, three angle ranges in an anatomical frame.

Each joint gets a frame built from the rest geometry: ``e1`` along the bone (twist), ``e2`` the
flexion axis (a positive rotation flexes: forward for the spine, shoulder and hip, the elbow's and
knee's hinge sense, towards the palm for the wrist and fingers), ``e3 = e1 x e2`` (side bend,
abduction, elevation). A local rotation ``R`` (relative to rest) is expressed in that frame and
split into intrinsic Euler angles about ``e3``, then ``e2``, then ``e1``
(``(Bᵀ R B).as_euler("ZYX")``). Ranges are written for the left side and centre; the right side
is the mirror image, which negates the ``e3`` and ``e1`` angles.

The ranges are conservative active ranges of motion (degrees), after the AAOS / Kapandji
tables, narrowed where a co-speech gesture never needs the extreme. The shoulder and elbow
ranges are anatomical (arm hanging = 0, straight elbow = 0) and shifted here by the rig's rest
pose (an A-pose), measured from the skeleton.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.spatial.transform import Rotation

from synth.gesture.quaternions import product
from synth.gesture.rig import FORWARD, UP, BodyRig

#: (e3, e2, e1) ranges in degrees for the left side and the centre line, anatomical zero.
ANATOMICAL_LIMITS: dict[str, tuple[tuple[float, float], ...]] = {
    "Hips": ((-15, 15), (-15, 20), (-25, 25)),
    "Spine": ((-15, 15), (-15, 25), (-20, 20)),
    "Spine1": ((-15, 15), (-15, 25), (-20, 20)),
    "Spine2": ((-15, 15), (-15, 25), (-20, 20)),
    "Neck": ((-25, 25), (-30, 40), (-40, 40)),
    "Head": ((-30, 30), (-40, 40), (-55, 55)),
    "Shoulder": ((-30, 12), (-20, 25), (-20, 20)),   # e3 negative = shrug
    # e3: abduction from the hanging arm (sign flipped below: e3 lowers the left arm);
    # e2: forward flexion; e1: humeral rotation.
    "Arm": ((-15, 170), (-60, 90), (-95, 95)),
    "ForeArm": ((-8, 8), (0, 150), (-10, 10)),         # e2: flexion from the straight arm
    "Hand": ((-30, 30), (-70, 80), (-100, 100)),     # e1: pronation/supination
    "UpLeg": ((-30, 30), (-20, 90), (-35, 35)),
    "Leg": ((-5, 5), (0, 140), (-8, 8)),             # e2: flexion from the straight knee
    "Foot": ((-20, 20), (-40, 40), (-20, 20)),
    "ToeBase": ((-10, 10), (-40, 40), (-10, 10)),
    "Thumb": ((-45, 45), (-30, 60), (-45, 45)),
    "Finger1": ((-20, 20), (-20, 90), (-10, 10)),
    "Finger23": ((-5, 5), (-10, 100), (-5, 5)),
}


def limit_kind(short: str) -> tuple[str, str | None]:
    """(key into :data:`ANATOMICAL_LIMITS`, side or None) for a short joint name."""
    side = None
    for s in ("Left", "Right"):
        if short.startswith(s):
            side, short = s, short[len(s):]
    if short.startswith("HandThumb"):
        return "Thumb", side
    if short.startswith("Hand") and short[-1].isdigit():
        return ("Finger1" if short.endswith("1") else "Finger23"), side
    return short, side


def _frame(e1: np.ndarray, e2: np.ndarray) -> np.ndarray:
    """Right-handed orthonormal basis (columns e1, e2, e3) from a twist axis and a flexion axis."""
    e1 = e1 / np.linalg.norm(e1)
    e2 = e2 - np.dot(e2, e1) * e1
    e2 = e2 / np.linalg.norm(e2)
    return np.stack([e1, e2, np.cross(e1, e2)], axis=1)


def _signed_angle(a: np.ndarray, b: np.ndarray, axis: np.ndarray) -> float:
    return float(np.arctan2(np.dot(np.cross(a, b), axis), np.dot(a, b)))


@dataclass(frozen=True, eq=False)
class JointLimits:
    """Anatomical frames and angle ranges of every joint of one skeleton."""

    rig: BodyRig

    @cached_property
    def _tables(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rig = self.rig
        frames = np.zeros((rig.n_joints, 3, 3))
        lo = np.zeros((rig.n_joints, 3))
        hi = np.zeros((rig.n_joints, 3))
        for j in range(rig.n_joints):
            kind, side = limit_kind(rig.short_name(j))
            if kind not in ANATOMICAL_LIMITS:
                raise KeyError(f"no joint limits for {rig.joint_names[j]!r}")
            ranges = np.radians(np.array(ANATOMICAL_LIMITS[kind], dtype=np.float64))
            frames[j] = self._anatomical_frame(j, kind, side)
            ranges = self._shift_by_rest(j, kind, side, ranges, frames[j])
            if side == "Right":  # mirror image: e3 and e1 angles change sign
                ranges[[0, 2]] = -ranges[[0, 2]][:, ::-1]
            lo[j], hi[j] = ranges[:, 0], ranges[:, 1]
        return frames, lo, hi

    def _anatomical_frame(self, j: int, kind: str, side: str | None) -> np.ndarray:
        rig = self.rig
        if side is None:  # trunk, neck, head: up, flexing forward about +X
            return _frame(UP, np.array([1.0, 0.0, 0.0]))
        bone = rig.bone_direction(j)
        if kind in ("Arm", "ForeArm"):
            return _frame(bone, rig.hinge_axis(f"{side}Arm"))
        if kind in ("UpLeg",):
            return _frame(bone, np.cross(bone, FORWARD))
        if kind == "Leg":
            return _frame(bone, rig.hinge_axis(f"{side}UpLeg"))
        if kind in ("Hand", "Thumb", "Finger1", "Finger23"):
            return _frame(bone, np.cross(bone, rig.palm_normal(side)))
        if kind in ("Foot", "ToeBase"):
            return _frame(bone, np.array([-1.0, 0.0, 0.0]))
        return _frame(bone, np.cross(bone, FORWARD))  # Shoulder (clavicle)

    def _shift_by_rest(self, j: int, kind: str, side: str | None, ranges: np.ndarray,
                       frame: np.ndarray) -> np.ndarray:
        """Turn anatomical-zero ranges into ranges relative to the rig's rest pose."""
        rig = self.rig
        ranges = ranges.copy()
        if kind == "Arm":
            # Abduction from hanging -> rotation about e3 from rest (positive e3 lowers the
            # left arm): lowering = rest_abduction - abduction.
            bone = rig.bone_direction(j)
            rest_abduction = np.arccos(np.clip(np.dot(bone, -UP), -1, 1))
            ranges[0] = rest_abduction - ranges[0][::-1]
        elif kind in ("ForeArm", "Leg"):
            upper = rig.parents[j]
            flex = abs(_signed_angle(rig.bone_direction(upper), rig.bone_direction(j),
                                     frame[:, 1]))
            ranges[1] = ranges[1] - flex
            if kind == "ForeArm":  # never open past 10 deg beyond the rest angle (skinning)
                ranges[1][0] = max(ranges[1][0], np.radians(-10.0))
        return ranges

    @property
    def frames(self) -> np.ndarray:
        """(joints, 3, 3) anatomical frames, columns e1 (twist), e2 (flexion), e3."""
        return self._tables[0]

    @property
    def lower(self) -> np.ndarray:
        """(joints, 3) lower bounds in radians of the (e3, e2, e1) angles."""
        return self._tables[1]

    @property
    def upper(self) -> np.ndarray:
        """(joints, 3) upper bounds in radians of the (e3, e2, e1) angles."""
        return self._tables[2]

    # ------------------------------------------------------------------ angles
    def angles(self, rotations: np.ndarray) -> np.ndarray:
        """(frames, joints, 3) anatomical angles in radians (e3, e2, e1) of local rotations
        ``(frames, joints, 4)`` xyzw."""
        frames, joints = rotations.shape[0], self.rig.n_joints
        basis = Rotation.from_quat(np.tile(self._basis_quats, (frames, 1)))  # frame-major, as below
        local = product(product(basis.inv(), Rotation.from_quat(rotations.reshape(-1, 4))),
                        basis)
        return local.as_euler("ZYX").reshape(frames, joints, 3)

    @cached_property
    def _basis_quats(self) -> np.ndarray:
        """(joints, 4) xyzw of each joint's anatomical frame."""
        return Rotation.from_matrix(self.frames).as_quat()

    def from_angles(self, angles: np.ndarray, joints: list[int] | None = None) -> np.ndarray:
        """(frames, len(joints), 4) xyzw local rotations from anatomical angles
        ``(frames, len(joints), 3)``."""
        joints = list(range(self.rig.n_joints)) if joints is None else joints
        out = np.zeros(angles.shape[:2] + (4,))
        for k, j in enumerate(joints):
            basis = Rotation.from_matrix(self.frames[j])
            local = Rotation.from_euler("ZYX", angles[:, k])
            out[:, k] = (basis * local * basis.inv()).as_quat()
        return out

    def clamp(self, rotations: np.ndarray) -> np.ndarray:
        """Local rotations ``(frames, joints, 4)`` with every angle clipped into its range."""
        ang = self.angles(rotations)
        clipped = np.clip(ang, self.lower, self.upper)
        moved = np.any(np.abs(clipped - ang) > 1e-9, axis=(0, 2))
        out = rotations.copy()
        joints = list(np.flatnonzero(moved))
        if joints:
            out[:, joints] = self.from_angles(clipped[:, joints], joints)
        return out

    def violations(self, rotations: np.ndarray, tolerance_deg: float = 0.5) -> dict[str, int]:
        """{joint name: frames outside its range by more than ``tolerance_deg``}, only joints
        with at least one such frame."""
        ang = self.angles(rotations)
        tol = np.radians(tolerance_deg)
        bad = (ang < self.lower - tol) | (ang > self.upper + tol)
        counts = bad.any(axis=2).sum(axis=0)
        return {self.rig.joint_names[j]: int(c) for j, c in enumerate(counts) if c}
