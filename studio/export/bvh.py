"""BVH (Biovision hierarchy) export and import of a :class:`~synth.contracts.BodyAnimation`.

What is written (stated because BVH itself fixes none of it):

- units centimetres, Y up, the character facing +Z (the avatar's and ``BodyAnimation``'s axes);
- the HIERARCHY is the rig's rest pose: every ``OFFSET`` is the joint's rest offset from its
  parent; the root's ``OFFSET`` is its rest position; leaf joints end in an ``End Site`` along
  their bone; so a frame of zero rotations shows the rest pose (the avatar's A-pose);
- the root has 6 channels ``Xposition Yposition Zposition Zrotation Xrotation Yrotation``, every
  other joint 3 ``Zrotation Xrotation Yrotation``; rotations are degrees, applied in the listed
  order as intrinsic rotations (``R = Rz(z) Rx(x) Ry(y)``), local to the parent and relative to
  the rest pose;
- the root's position channels are its absolute position (as Blender and MotionBuilder read
  them), not an offset added to ``OFFSET``;
- ``Frame Time`` is ``1 / fps``.

Files are written atomically (:mod:`synth.atomic`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

from controllers.errors import InputError
from synth.atomic import atomic_write_text
from synth.contracts import BodyAnimation
from synth.gesture.rig import BodyRig

#: Euler order of the rotation channels (intrinsic, as listed).
EULER_ORDER = "ZXY"
_AXIS_CHANNEL = {"X": "Xrotation", "Y": "Yrotation", "Z": "Zrotation"}
_CHANNEL_AXIS = {v: k for k, v in _AXIS_CHANNEL.items()}
_POSITION_CHANNELS = ("Xposition", "Yposition", "Zposition")


def _fmt(values) -> str:
    return " ".join(f"{v:.6f}" for v in values)


def bvh_text(anim: BodyAnimation, precision: int = 6) -> str:
    """The BVH file content for an animation."""
    names = anim.joint_names
    parents = np.asarray(anim.parents)
    offsets = np.asarray(anim.offsets, dtype=np.float64)
    if len(names) == 0 or parents[0] != -1 or np.any(parents[1:] < 0):
        raise InputError("a BVH needs exactly one root joint, listed first")
    if any(any(c.isspace() for c in n) or not n for n in names):
        raise InputError("BVH joint names must be non-empty and without spaces")
    children: list[list[int]] = [[] for _ in names]
    for j, p in enumerate(parents[1:], start=1):
        children[p].append(j)
    rotation_channels = " ".join(_AXIS_CHANNEL[a] for a in EULER_ORDER)
    rig = BodyRig.from_animation(anim)  # leaf bones end along their parent's direction

    lines = ["HIERARCHY"]
    order: list[int] = []

    def emit(j: int, depth: int) -> None:
        pad = "\t" * depth
        keyword = "ROOT" if parents[j] < 0 else "JOINT"
        lines.append(f"{pad}{keyword} {names[j]}")
        lines.append(f"{pad}{{")
        lines.append(f"{pad}\tOFFSET {_fmt(offsets[j])}")
        if parents[j] < 0:
            lines.append(f"{pad}\tCHANNELS 6 {' '.join(_POSITION_CHANNELS)} {rotation_channels}")
        else:
            lines.append(f"{pad}\tCHANNELS 3 {rotation_channels}")
        order.append(j)
        for c in children[j]:
            emit(c, depth + 1)
        if not children[j]:
            lines.append(f"{pad}\tEnd Site")
            lines.append(f"{pad}\t{{")
            lines.append(f"{pad}\t\tOFFSET {_fmt(rig.bone_vector(j))}")
            lines.append(f"{pad}\t}}")
        lines.append(f"{pad}}}")

    emit(0, 0)
    frames = anim.frames
    rot = np.asarray(anim.rotations, dtype=np.float64)[:, order]  # (frames, joints, 4)
    euler = Rotation.from_quat(rot.reshape(-1, 4)).as_euler(EULER_ORDER, degrees=True)
    euler = euler.reshape(frames, len(order), 3)
    motion = np.concatenate([np.asarray(anim.root_translation, dtype=np.float64),
                             euler.reshape(frames, -1)], axis=1)
    lines += ["MOTION", f"Frames: {frames}", f"Frame Time: {1.0 / anim.fps:.8f}"]
    # one format for a whole row (what " ".join of each value's format gives, several times
    # faster)
    row_format = " ".join([f"%.{precision}f"] * motion.shape[1])
    lines += [row_format % tuple(row) for row in motion.tolist()]
    return "\n".join(lines) + "\n"


def write_bvh(anim: BodyAnimation, path: str | Path) -> Path:
    """Write ``anim`` as BVH to ``path`` (atomically) and return the path."""
    path = Path(path)
    atomic_write_text(path, bvh_text(anim))
    return path


def read_bvh(path: str | Path) -> BodyAnimation:
    """Read a BVH file into a :class:`BodyAnimation` (any rotation channel order; position
    channels are read on the root only, as its absolute position)."""
    tokens = Path(path).read_text().split()
    pos = 0

    def take() -> str:
        nonlocal pos
        if pos >= len(tokens):
            raise InputError(f"{path}: the BVH file ends early")
        pos += 1
        return tokens[pos - 1]

    if take() != "HIERARCHY":
        raise InputError(f"{path}: not a BVH file (no HIERARCHY)")
    names: list[str] = []
    parents: list[int] = []
    offsets: list[list[float]] = []
    channels: list[list[str]] = []
    stack: list[int] = []
    while True:
        tok = take()
        if tok in ("ROOT", "JOINT"):
            names.append(take())
            parents.append(stack[-1] if stack else -1)
            if take() != "{":
                raise InputError(f"{path}: expected '{{' after {names[-1]}")
            stack.append(len(names) - 1)
            offsets.append([0.0, 0.0, 0.0])
            channels.append([])
        elif tok == "OFFSET":
            offsets[stack[-1]] = [float(take()) for _ in range(3)]
        elif tok == "CHANNELS":
            channels[stack[-1]] = [take() for _ in range(int(take()))]
        elif tok == "End":
            take()  # "Site"
            depth = 0
            while True:  # skip the end site block
                t = take()
                depth += t == "{"
                depth -= t == "}"
                if depth == 0 and t == "}":
                    break
        elif tok == "}":
            stack.pop()
        elif tok == "MOTION":
            break
        else:
            raise InputError(f"{path}: unexpected token {tok!r} in the hierarchy")
    take()  # "Frames:"
    frames = int(take())
    take()
    take()  # "Frame" "Time:"
    frame_time = float(take())
    width = sum(len(c) for c in channels)
    values = np.asarray(tokens[pos:pos + frames * width], dtype=np.float64)
    if values.size != frames * width:
        raise InputError(f"{path}: expected {frames} frames of {width} values")
    values = values.reshape(frames, width)

    rotations = np.zeros((frames, len(names), 4))
    rotations[..., 3] = 1.0
    root = np.zeros((frames, 3))
    col = 0
    for j, chans in enumerate(channels):
        block = values[:, col:col + len(chans)]
        col += len(chans)
        rot_idx = [i for i, c in enumerate(chans) if c in _CHANNEL_AXIS]
        if rot_idx:
            order = "".join(_CHANNEL_AXIS[chans[i]] for i in rot_idx)
            rotations[:, j] = Rotation.from_euler(order, block[:, rot_idx], degrees=True).as_quat()
        if parents[j] < 0:
            for axis, name in enumerate(_POSITION_CHANNELS):
                if name in chans:
                    root[:, axis] = block[:, chans.index(name)]
    return BodyAnimation(fps=1.0 / frame_time, joint_names=tuple(names),
                         parents=np.asarray(parents, dtype=np.int64),
                         offsets=np.asarray(offsets, dtype=np.float32),
                         rotations=rotations.astype(np.float32),
                         root_translation=root.astype(np.float32))
