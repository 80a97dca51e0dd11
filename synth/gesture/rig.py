"""What the gesture generator needs to know about the avatar's skeleton, derived once from it.

The skeleton itself (Mixamo bone names, parents, rest offsets) belongs to the avatar
(:mod:`synth.avatar`); this module only derives geometry from it: rest positions, bone
directions, elbow and knee hinge axes, palm normals, and forward kinematics over many frames.

Conventions (the same as :class:`synth.contracts.BodyAnimation` and the avatar): centimetres,
Y up, the character faces +Z with its left side on +X. A joint's local rotation is relative to
the rest pose and expressed in its parent's rest-aligned frame (BVH style): at rest every joint
frame is aligned with the world axes, and

    world_rot[j] = world_rot[parent] * local[j]
    world_pos[j] = world_pos[parent] + world_rot[parent] @ offsets[j]

with the root placed at ``root_translation`` (its absolute position, not an offset from rest).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.spatial.transform import Rotation

from synth.gesture.quaternions import product

#: Prefix of every bone name in the Mixamo rig.
MIXAMO_PREFIX = "mixamorig:"

#: The character's forward direction (world +Z).
FORWARD = np.array([0.0, 0.0, 1.0])
#: World up (+Y).
UP = np.array([0.0, 1.0, 0.0])

#: For joints whose bone does not simply point at their only child: the child that defines the
#: bone's direction.
_BONE_CHILD = {
    "Hips": "Spine", "Spine2": "Neck",
    "LeftShoulder": "LeftArm", "RightShoulder": "RightArm",
    "LeftHand": "LeftHandMiddle1", "RightHand": "RightHandMiddle1",
}

#: Finger names of one hand, thumb first.
FINGERS = ("Thumb", "Index", "Middle", "Ring", "Pinky")
SIDES = ("Left", "Right")


def side_sign(side: str) -> float:
    """+1 for the character's left (+X), -1 for its right."""
    return 1.0 if side == "Left" else -1.0


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-9)


@dataclass(frozen=True, eq=False)
class BodyRig:
    """A skeleton (names, parents, rest offsets) with derived rest geometry and FK."""

    joint_names: tuple[str, ...]
    """Bone names, e.g. ``"mixamorig:Hips"``; parents come before children."""
    parents: np.ndarray
    """(joints,) int parent index, -1 for the root."""
    offsets: np.ndarray
    """(joints, 3) float64 rest offset from the parent in centimetres (the root's: its rest
    position)."""

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_arrays(cls, joint_names, parents, offsets) -> BodyRig:
        """A rig from names, (joints,) parent indices and (joints, 3) offsets in cm; parents
        must come before their children."""
        parents = np.asarray(parents, dtype=np.int64)
        for j, p in enumerate(parents):
            if p >= j:
                raise ValueError(f"joint {joint_names[j]!r} comes before its parent")
        return cls(tuple(joint_names), parents, np.asarray(offsets, dtype=np.float64))

    @classmethod
    def from_animation(cls, anim) -> BodyRig:
        """The skeleton a :class:`~synth.contracts.BodyAnimation` is on."""
        return cls.from_arrays(anim.joint_names, anim.parents, anim.offsets)

    @classmethod
    def load(cls, spec=None) -> BodyRig:
        """The Mixamo skeleton of a character's avatar (an
        :class:`~controllers.character.AvatarSpec`; None: the default), built by
        :mod:`synth.avatar` and cached there."""
        from synth.avatar.rig import Skeleton  # the avatar owns the rig

        skeleton = Skeleton.load(spec)
        return cls.from_arrays(skeleton.joint_names, skeleton.parents, skeleton.offsets_cm)

    # ------------------------------------------------------------------ names
    @cached_property
    def _index(self) -> dict[str, int]:
        table = {}
        for i, name in enumerate(self.joint_names):
            table[name] = i
            table[name.removeprefix(MIXAMO_PREFIX)] = i
        return table

    def index(self, name: str) -> int:
        """Index of a joint by full (``"mixamorig:LeftHand"``) or short (``"LeftHand"``) name."""
        try:
            return self._index[name]
        except KeyError:
            raise KeyError(f"the skeleton has no joint {name!r}") from None

    def has(self, name: str) -> bool:
        """Whether the rig has a joint of this full or short name."""
        return name in self._index

    def short_name(self, j: int) -> str:
        """Joint ``j``'s name without the ``mixamorig:`` prefix."""
        return self.joint_names[j].removeprefix(MIXAMO_PREFIX)

    @property
    def n_joints(self) -> int:
        return len(self.joint_names)

    # ------------------------------------------------------------------ rest geometry
    @cached_property
    def rest_positions(self) -> np.ndarray:
        """(joints, 3) rest positions in centimetres, world frame."""
        pos = np.zeros_like(self.offsets)
        for j, p in enumerate(self.parents):
            pos[j] = self.offsets[j] if p < 0 else pos[p] + self.offsets[j]
        return pos

    def rest(self, name: str) -> np.ndarray:
        """(3,) rest position of one joint, cm."""
        return self.rest_positions[self.index(name)]

    @cached_property
    def children(self) -> list[list[int]]:
        """Indices of each joint's children, in joint order."""
        kids: list[list[int]] = [[] for _ in self.joint_names]
        for j, p in enumerate(self.parents):
            if p >= 0:
                kids[p].append(j)
        return kids

    def bone_vector(self, j: int) -> np.ndarray:
        """(3,) rest vector from joint ``j`` to the joint its bone points at, cm.

        Leaf joints (finger tips, head, toes) continue their parent's direction with 80% of the
        incoming offset's length (the head: straight up, 1.8 times the neck length).
        """
        short = self.short_name(j)
        kids = self.children[j]
        if short in _BONE_CHILD and self.has(_BONE_CHILD[short]):
            return self.rest(_BONE_CHILD[short]) - self.rest_positions[j]
        if len(kids) == 1:
            return self.offsets[kids[0]].copy()
        if short == "Head":
            return UP * 1.8 * np.linalg.norm(self.offsets[j])
        return 0.8 * self.offsets[j]

    def bone_direction(self, j: int) -> np.ndarray:
        """(3,) unit rest direction of joint ``j``'s bone (see :meth:`bone_vector`)."""
        return _unit(self.bone_vector(j))

    def bone_length(self, j: int) -> float:
        """Rest length of joint ``j``'s bone, cm (see :meth:`bone_vector`)."""
        return float(np.linalg.norm(self.bone_vector(j)))

    def hinge_axis(self, upper: str) -> np.ndarray:
        """(3,) rest hinge axis of the joint below ``upper`` (elbow for ``"LeftArm"``, knee for
        ``"LeftUpLeg"``), oriented so that a positive rotation about it flexes the joint.

        A bent rest joint gives its own plane; a straight one is taken to flex forward (elbow)
        or backward (knee).
        """
        j = self.index(upper)
        mid = self.children[j][0] if len(self.children[j]) == 1 else j
        a = self.bone_direction(j)
        b = self.bone_direction(mid)
        is_leg = "Leg" in upper
        bend = np.cross(a, b)
        fallback = np.cross(a, -FORWARD if is_leg else FORWARD)
        if np.linalg.norm(bend) > 0.25 and np.dot(bend, fallback) > 0:
            return _unit(bend)
        return _unit(fallback)

    def palm_normal(self, side: str) -> np.ndarray:
        """(3,) rest direction the palm of one hand faces (out of the palm, away from the back
        of the hand)."""
        index = self.rest(f"{side}HandIndex1")
        pinky = self.rest(f"{side}HandPinky1")
        along = self.bone_direction(self.index(f"{side}Hand"))
        # Index-to-pinky crossed with the hand's direction points out of the palm on the left
        # hand; the right hand is its mirror image.
        return _unit(side_sign(side) * np.cross(pinky - index, along))

    # ------------------------------------------------------------------ kinematics
    def forward_kinematics(self, rotations: np.ndarray, root_translation: np.ndarray
                           ) -> tuple[np.ndarray, list[Rotation]]:
        """World positions and rotations of all joints over frames.

        Parameters
        ----------
        rotations : (frames, joints, 4) float, local quaternions xyzw relative to rest.
        root_translation : (frames, 3) float, the root's absolute position in cm.

        Returns
        -------
        positions : (frames, joints, 3) float64 cm.
        world : list of ``joints`` scipy Rotations, each holding ``frames`` rotations.
        """
        rotations = np.asarray(rotations, dtype=np.float64)
        frames = rotations.shape[0]
        positions = np.zeros((frames, self.n_joints, 3))
        world: list[Rotation] = []
        for j, p in enumerate(self.parents):
            local = Rotation.from_quat(rotations[:, j])
            if p < 0:
                world.append(local)
                positions[:, j] = root_translation
            else:
                world.append(product(world[p], local))
                positions[:, j] = positions[:, p] + world[p].apply(self.offsets[j])
        return positions, world

    def rest_rotations(self, frames: int) -> np.ndarray:
        """(frames, joints, 4) identity quaternions xyzw."""
        q = np.zeros((frames, self.n_joints, 4))
        q[..., 3] = 1.0
        return q
