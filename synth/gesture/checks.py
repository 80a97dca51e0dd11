"""Plausibility checks of any :class:`~synth.contracts.BodyAnimation` on a Mixamo skeleton.

- foot slide: horizontal motion of the feet and toes while they touch the ground;
- joint limits: frames where a joint leaves its human range (:mod:`synth.gesture.limits`);
- hand-torso penetration: wrists, middle fingertips and elbows inside the trunk volume
  (:mod:`synth.gesture.torso`);
- jerk: third time-derivative of the wrist positions;
- hand speed and gesture rate, for effort measurements.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from synth.contracts import BodyAnimation
from synth.gesture.limits import JointLimits
from synth.gesture.rig import SIDES, BodyRig
from synth.gesture.torso import TorsoModel

#: A foot joint this close to its lowest height (cm) is in contact with the ground.
CONTACT_HEIGHT = 2.0
#: Horizontal speed (cm/s) of a foot in contact above which a frame counts as sliding.
SLIDE_SPEED = 1.0


@dataclass
class Plausibility:
    """Measured plausibility of one animation."""

    foot_slide_cm: float
    """Largest horizontal drift of a grounded foot or toe joint from where it was planted, cm."""
    sliding_frames: int
    """Frames where a grounded foot joint moves faster than :data:`SLIDE_SPEED`."""
    limit_violations: int
    """Joint-frames outside the joint limits (more than 0.5 degrees)."""
    violating_joints: dict[str, int]
    """{joint: frames} of those violations."""
    min_hand_clearance_cm: float
    """Smallest distance of a wrist, middle fingertip or elbow outside the trunk, cm (negative:
    inside)."""
    penetrating_frames: int
    """Frames with any of those points inside the trunk."""
    jerk_p95: float
    """95th percentile of the wrists' jerk magnitude, m/s^3."""
    hand_speed: float
    """Mean wrist speed over both hands, cm/s."""

    def to_dict(self) -> dict:
        return asdict(self)


def joint_positions(anim: BodyAnimation, rig: BodyRig | None = None) -> np.ndarray:
    """(frames, joints, 3) world positions in cm."""
    rig = rig or BodyRig.from_animation(anim)
    positions, _ = rig.forward_kinematics(anim.rotations.astype(np.float64),
                                          anim.root_translation.astype(np.float64))
    return positions


def foot_slide(anim: BodyAnimation, positions: np.ndarray, rig: BodyRig) -> tuple[float, int]:
    """(largest drift in cm, sliding frames) of grounded foot and toe joints."""
    drift, sliding = 0.0, 0
    dt = 1.0 / anim.fps
    for name in ("LeftFoot", "RightFoot", "LeftToeBase", "RightToeBase"):
        if not rig.has(name):
            continue
        p = positions[:, rig.index(name)]
        grounded = p[:, 1] <= p[:, 1].min() + CONTACT_HEIGHT
        if grounded.sum() < 2:
            continue
        planted = p[grounded][0, [0, 2]]
        drift = max(drift, float(np.linalg.norm(p[grounded][:, [0, 2]] - planted, axis=1).max()))
        speed = np.linalg.norm(np.diff(p[:, [0, 2]], axis=0), axis=1) / dt
        sliding += int(np.sum((speed > SLIDE_SPEED) & grounded[1:] & grounded[:-1]))
    return drift, sliding


def check_body(anim: BodyAnimation, rig: BodyRig | None = None) -> Plausibility:
    """Measure an animation's plausibility (see :class:`Plausibility`)."""
    rig = rig or BodyRig.from_animation(anim)
    rotations = anim.rotations.astype(np.float64)
    positions, world = rig.forward_kinematics(rotations, anim.root_translation.astype(np.float64))
    drift, sliding = foot_slide(anim, positions, rig)
    violations = JointLimits(rig).violations(rotations)

    torso = TorsoModel.from_rig(rig)
    chest = rig.index("Spine2")
    inv = world[chest].inv()
    clearance = np.full(len(positions), np.inf)
    for side in SIDES:
        points = [positions[:, rig.index(f"{side}Hand")], positions[:, rig.index(f"{side}ForeArm")]]
        tip = f"{side}HandMiddle3"
        if rig.has(tip):
            j = rig.index(tip)
            points.append(positions[:, j] + world[j].apply(rig.bone_vector(j)))
        for p in points:
            local = inv.apply(p - positions[:, chest])
            clearance = np.minimum(clearance, torso.clearance(local))

    dt = 1.0 / anim.fps
    wrists = np.stack([positions[:, rig.index(f"{s}Hand")] for s in SIDES], axis=1) / 100.0
    if len(wrists) > 3:
        jerk = np.linalg.norm(np.diff(wrists, n=3, axis=0), axis=-1) / dt**3
        jerk_p95 = float(np.percentile(jerk, 95))
    else:
        jerk_p95 = 0.0
    speed = np.linalg.norm(np.diff(wrists, axis=0), axis=-1) / dt * 100.0
    return Plausibility(
        foot_slide_cm=drift, sliding_frames=sliding,
        limit_violations=int(sum(violations.values())), violating_joints=violations,
        min_hand_clearance_cm=float(clearance.min()) if len(clearance) else float("inf"),
        penetrating_frames=int(np.sum(clearance < 0.0)), jerk_p95=jerk_p95,
        hand_speed=float(speed.mean()) if speed.size else 0.0)
