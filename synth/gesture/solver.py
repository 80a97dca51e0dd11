"""Motion channels -> joint rotations on the skeleton.

Trunk, neck and clavicles take their angles directly; arms reach their hand targets by two-bone
IK (elbow a pure hinge, swinging out by the style's elbow channel); forearm pronation and wrist
flexion turn the hand; fingers curl about axes across the palm; the legs keep both ankles on
their rest positions by IK while the pelvis shifts (so the feet never slide), the feet stay
flat. Last, every joint is clamped into its human range (:mod:`synth.gesture.limits`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.ndimage import gaussian_filter1d
from scipy.spatial.transform import Rotation

from synth.gesture.ik import TwoBoneChain, unit
from synth.gesture.limits import JointLimits
from synth.gesture.motion import MotionCurves
from synth.gesture.rig import FINGERS, SIDES, UP, BodyRig, side_sign
from synth.gesture.torso import TorsoModel

#: Share of the trunk channels taken by Spine, Spine1, Spine2.
SPINE_SHARES = (0.25, 0.35, 0.40)
#: Share of the head channels taken by Neck and Head.
NECK_SHARES = (0.35, 0.65)
#: Degrees of flexion of each phalanx at full curl (index..pinky; the thumb separately).
PHALANX_CURL = (60.0, 75.0, 50.0)
#: Curl scale per finger, thumb to pinky (the ulnar fingers curl more when relaxed).
FINGER_CURL = {"Thumb": 0.35, "Index": 0.85, "Middle": 1.0, "Ring": 1.1, "Pinky": 1.2}
#: The elbow opens at most this many degrees past its (bent, about 47 deg) rest angle: a
#: natural, never locked arm, and linear-blend skinning stays clean near the rest angle.
ELBOW_MIN_FROM_REST = -10.0
#: Fingertips and wrists stay at least this far outside the trunk, cm.
FINGER_CLEARANCE = 2.0
#: Largest hip-to-ankle distance as a fraction of the leg length (knees never lock).
LEG_REACH = 0.995


def _knee_yaw(rig: BodyRig, side: str) -> float:
    """Heading (radians about +Y, 0 = forward) of the rest knee's offset from its hip-ankle line."""
    hip, knee, ankle = rig.rest(f"{side}UpLeg"), rig.rest(f"{side}Leg"), rig.rest(f"{side}Foot")
    axis = unit(ankle - hip)
    off = (knee - hip) - np.dot(knee - hip, axis) * axis
    return float(np.arctan2(off[0], off[2]))


def _euler(order: str, angles_deg: np.ndarray) -> Rotation:
    return Rotation.from_euler(order, angles_deg, degrees=True)


@dataclass(frozen=True, eq=False)
class BodySolver:
    """Turns :class:`~synth.gesture.motion.MotionCurves` into local joint rotations."""

    rig: BodyRig

    @cached_property
    def limits(self) -> JointLimits:
        return JointLimits(self.rig)

    @cached_property
    def torso(self) -> TorsoModel:
        return TorsoModel.from_rig(self.rig)

    def _chain(self, upper: str, middle: str, end: str, hinge_of: str, reach: float,
               min_flexion: float = -np.inf) -> TwoBoneChain:
        r = self.rig
        a, b, c = r.rest(upper), r.rest(middle), r.rest(end)
        return TwoBoneChain(upper_direction=unit(b - a), lower_direction=unit(c - b),
                            hinge=r.hinge_axis(hinge_of), upper_length=float(np.linalg.norm(b - a)),
                            lower_length=float(np.linalg.norm(c - b)), reach=reach,
                            min_flexion=min_flexion)

    @cached_property
    def arms(self) -> dict[str, TwoBoneChain]:
        return {s: self._chain(f"{s}Arm", f"{s}ForeArm", f"{s}Hand", f"{s}Arm", 0.97,
                               min_flexion=np.radians(ELBOW_MIN_FROM_REST))
                for s in SIDES}

    @cached_property
    def legs(self) -> dict[str, TwoBoneChain]:
        return {s: self._chain(f"{s}UpLeg", f"{s}Leg", f"{s}Foot", f"{s}UpLeg", LEG_REACH)
                for s in SIDES}

    def solve(self, curves: MotionCurves) -> tuple[np.ndarray, np.ndarray]:
        """Local rotations (frames, joints, 4) xyzw and the root's position (frames, 3) cm."""
        rig = self.rig
        n = len(curves.times)
        q = rig.rest_rotations(n)
        ix = rig.index

        # Pelvis, trunk, neck, head, clavicles.
        hips = _euler("YXZ", curves.pelvis_tilt[:, [2, 0, 1]])
        q[:, ix("Hips")] = hips.as_quat()
        for name, share in zip(("Spine", "Spine1", "Spine2"), SPINE_SHARES):
            flex = share * curves.spine[:, 0] + (curves.lean if name == "Spine" else 0.0)
            q[:, ix(name)] = _euler("YXZ", np.stack(
                [share * curves.spine[:, 2], flex, -share * curves.spine[:, 1]], axis=1)).as_quat()
        for name, share in zip(("Neck", "Head"), NECK_SHARES):
            h = share * curves.head
            q[:, ix(name)] = _euler("YXZ", np.stack([h[:, 1], h[:, 0], -h[:, 2]], axis=1)).as_quat()
        for side in SIDES:
            s = side_sign(side)
            raise_, protract = curves.clavicle[side][:, 0], curves.clavicle[side][:, 1]
            q[:, ix(f"{side}Shoulder")] = _euler(
                "YZ", np.stack([-s * protract, s * raise_], axis=1)).as_quat()

        root = np.repeat(rig.rest("Hips")[None], n, axis=0) + curves.pelvis
        root = self._keep_feet_reachable(root, hips)
        positions, world = rig.forward_kinematics(q, root)

        chest_pos, chest_rot = positions[:, ix("Spine2")], world[ix("Spine2")]
        for side in SIDES:
            self._solve_arm(q, side, curves, positions, world, chest_pos, chest_rot)
            self._solve_hand(q, side, curves)
            self._solve_leg(q, side, positions, world)
        q = self.limits.clamp(q)
        for _ in range(3):  # fingers sweeping past the trunk: move the wrist out and re-solve
            if not self._push_hands_out(q, root, curves):
                break
            for side in SIDES:
                self._solve_arm(q, side, curves, positions, world, chest_pos, chest_rot)
            q = self.limits.clamp(q)
        return q, root

    def _push_hands_out(self, q: np.ndarray, root: np.ndarray, curves: MotionCurves) -> bool:
        """Move hand targets (in ``curves``) outwards where a fingertip or wrist comes closer to
        the trunk than :data:`FINGER_CLEARANCE`; True if any moved."""
        rig = self.rig
        positions, world = rig.forward_kinematics(q, root)
        chest = rig.index("Spine2")
        inv = world[chest].inv()
        moved = False
        for side in SIDES:
            tip = rig.index(f"{side}HandMiddle3")
            points = [positions[:, tip] + world[tip].apply(rig.bone_vector(tip)),
                      positions[:, rig.index(f"{side}Hand")]]
            deficit = np.zeros(len(q))
            outward = np.zeros((len(q), 3))
            for p in points:
                local = inv.apply(p - positions[:, chest])
                need = FINGER_CLEARANCE - self.torso.clearance(local)
                direction = np.stack([local[:, 0], 0 * local[:, 0],
                                      local[:, 2] - self.torso.center_z], axis=1)
                better = need > deficit
                deficit = np.where(better, need, deficit)
                outward[better] = unit(direction[better])
            deficit = gaussian_filter1d(np.maximum(deficit, 0.0) * 1.3, sigma=1.5)
            if deficit.max() > 0.05:
                curves.hand[side][:, :3] += outward * deficit[:, None]
                moved = True
        return moved

    # ------------------------------------------------------------------ parts
    def _solve_arm(self, q, side, curves, positions, world, chest_pos, chest_rot) -> None:
        ix = self.rig.index
        s = side_sign(side)
        target = chest_pos + chest_rot.apply(curves.hand[side][:, :3])
        out = curves.elbow_out[side]
        pole_chest = np.stack([s * (0.3 + 0.5 * out), -np.ones_like(out), -0.35 + 0 * out], axis=1)
        pole = chest_rot.apply(unit(pole_chest))
        upper, lower, _, _ = self.arms[side].solve(positions[:, ix(f"{side}Arm")],
                                                   world[ix(f"{side}Shoulder")], target, pole)
        q[:, ix(f"{side}Arm")] = upper.as_quat()
        q[:, ix(f"{side}ForeArm")] = lower.as_quat()

    def _solve_hand(self, q, side, curves) -> None:
        rig = self.rig
        ix = rig.index
        s = side_sign(side)
        palm = rig.palm_normal(side)
        forearm = rig.bone_direction(ix(f"{side}ForeArm"))
        hand = rig.bone_direction(ix(f"{side}Hand"))
        channels = curves.hand[side]
        pronation = Rotation.from_rotvec(np.radians(s * channels[:, 3])[:, None] * forearm)
        flex_axis = unit(np.cross(hand, palm))
        flexion = Rotation.from_rotvec(np.radians(channels[:, 4])[:, None] * flex_axis)
        q[:, ix(f"{side}Hand")] = (pronation * flexion).as_quat()
        curl = np.clip(channels[:, 5], 0.0, 1.0)
        for finger in FINGERS:
            for k in range(3):
                name = f"{side}Hand{finger}{k + 1}"
                if not rig.has(name):
                    continue
                j = ix(name)
                axis = unit(np.cross(rig.bone_direction(j), palm))
                angle = np.radians(PHALANX_CURL[k] * FINGER_CURL[finger]) * curl
                q[:, j] = Rotation.from_rotvec(angle[:, None] * axis).as_quat()

    @cached_property
    def knee_poles(self) -> dict[str, np.ndarray]:
        """Side -> (3,) direction the knee is turned towards: forward (a little up), turned about
        the vertical by as much as this body's rest knee points further in or out than the
        default body's. A knock-kneed body (weight, age) then keeps its knees' own line instead
        of twisting its thighs out and its feet past their range."""
        from synth.gesture.rig import BodyRig as _Rig

        forward = np.array([0.0, 0.0, 1.0]) + 0.05 * UP
        default = _Rig.load()
        poles = {}
        for side in SIDES:
            turn = _knee_yaw(self.rig, side) - _knee_yaw(default, side)
            poles[side] = (forward if abs(turn) < 1e-9
                           else Rotation.from_rotvec(turn * UP).apply(forward))
        return poles

    def _keep_feet_reachable(self, root: np.ndarray, hips: Rotation) -> np.ndarray:
        """Lower the pelvis where a shifted hip would be too far from its (planted) ankle."""
        rig = self.rig
        drop = np.zeros(len(root))
        for side in SIDES:
            chain = self.legs[side]
            hip = root + hips.apply(rig.offsets[rig.index(f"{side}UpLeg")])
            ankle = rig.rest(f"{side}Foot")
            horizontal = np.linalg.norm((hip - ankle)[:, [0, 2]], axis=1)
            reach = chain.max_distance - 0.05
            allowed = np.sqrt(np.maximum(reach**2 - horizontal**2, 0.0))
            drop = np.maximum(drop, (hip[:, 1] - ankle[1]) - allowed)
        out = root.copy()
        out[:, 1] -= drop
        return out

    def _solve_leg(self, q, side, positions, world) -> None:
        rig = self.rig
        ix = rig.index
        n = len(q)
        hip = positions[:, ix(f"{side}UpLeg")]
        ankle = np.repeat(rig.rest(f"{side}Foot")[None], n, axis=0)
        pole = np.repeat(self.knee_poles[side][None], n, axis=0)
        hips_world = world[ix("Hips")]
        upper, lower, _, _ = self.legs[side].solve(hip, hips_world, ankle, pole)
        q[:, ix(f"{side}UpLeg")] = upper.as_quat()
        q[:, ix(f"{side}Leg")] = lower.as_quat()
        # The foot keeps its rest orientation in the world: flat on the floor.
        q[:, ix(f"{side}Foot")] = (hips_world * upper * lower).inv().as_quat()
