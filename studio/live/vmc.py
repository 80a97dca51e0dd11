"""Live chunks -> the VMC protocol (OSC over UDP), paced in real time, for VMC receivers.

VMC (https://protocol.vmc.info) is what VSeeFace, Virtual Motion Capture, EVMC4U (Unity) and
VMC4UE (Unreal) speak. As a Performer sending to a Marionette, per face frame (60 fps) one
OSC bundle with:

- ``/VMC/Ext/Blend/Val`` (string name, float value) for each of the 52 ARKit blendshapes
  (ARKit names, as "perfect sync" avatars name their clips), then ``/VMC/Ext/Blend/Apply``;
- on every other frame (the body's 30 fps) ``/VMC/Ext/Root/Pos`` ("root") and
  ``/VMC/Ext/Bone/Pos`` (string name, float p.x p.y p.z, float q.x q.y q.z q.w) for each
  humanoid bone, named as Unity's ``HumanBodyBones`` (``Hips``, ``LeftUpperArm``, ...): local
  position in metres and local rotation in Unity's left-handed, Y-up axes, relative to a
  T-pose with identity bone rotations (a normalized humanoid, as VRM and Unity's Humanoid
  use), mapped from the avatar's Mixamo-named skeleton;
- ``/VMC/Ext/OK`` 1 and ``/VMC/Ext/T`` (seconds since the sender started).

Paced as every avatar output is (``studio.live.pacer``): a line plays from the moment its
first chunk arrives, frame ``g`` is sent at that moment plus ``g / 60`` s; a late chunk holds
the clock back; one avatar: a new line takes over from the one playing.
"""

from __future__ import annotations

import time

import numpy as np
from scipy.spatial.transform import Rotation

from synth.contracts import ARKIT_NAMES
from studio.live.chunk import LiveChunk
from studio.live.pacer import PacedSender

#: Mixamo bone (without the ``mixamorig:`` prefix) -> Unity ``HumanBodyBones`` name.
MIXAMO_TO_UNITY: dict[str, str] = {
    "Hips": "Hips", "Spine": "Spine", "Spine1": "Chest", "Spine2": "UpperChest",
    "Neck": "Neck", "Head": "Head",
    **{f"{side}{m}": f"{side}{u}" for side in ("Left", "Right") for m, u in (
        ("Shoulder", "Shoulder"), ("Arm", "UpperArm"), ("ForeArm", "LowerArm"),
        ("Hand", "Hand"), ("UpLeg", "UpperLeg"), ("Leg", "LowerLeg"), ("Foot", "Foot"),
        ("ToeBase", "Toes"))},
    **{f"{side}Hand{m}{k}": f"{side}{u}{part}" for side in ("Left", "Right")
       for m, u in (("Thumb", "Thumb"), ("Index", "Index"), ("Middle", "Middle"),
                    ("Ring", "Ring"), ("Pinky", "Little"))
       for k, part in ((1, "Proximal"), (2, "Intermediate"), (3, "Distal"))},
}
#: Bones that point sideways in a T-pose (+x for the left side in the rig's axes); their rest
#: rotation away from it (the avatar rests in an A-pose) is put into the rotations sent.
_T_POSE_SIDEWAYS = ("Shoulder", "Arm", "ForeArm", "Hand")


def unity_name(joint: str) -> str | None:
    """Unity ``HumanBodyBones`` name of a Mixamo joint (``mixamorig:LeftArm`` ->
    ``LeftUpperArm``), None for a joint with no humanoid counterpart."""
    return MIXAMO_TO_UNITY.get(joint.split(":")[-1])


def _shortest_arc(a: np.ndarray, b: np.ndarray) -> Rotation:
    """The smallest rotation turning direction ``a`` onto direction ``b``."""
    a, b = a / np.linalg.norm(a), b / np.linalg.norm(b)
    axis = np.cross(a, b)
    s, c = np.linalg.norm(axis), float(np.dot(a, b))
    if s < 1e-9:
        return Rotation.identity() if c > 0 else Rotation.from_rotvec(np.pi * np.array([0, 0, 1.]))
    return Rotation.from_rotvec(axis / s * np.arctan2(s, c))


class HumanoidMapping:
    """The avatar's skeleton (``joint_names``, ``parents``, ``offsets`` in cm) as a Unity
    humanoid: which joints are sent, under which names, and each joint's rest rotation
    from a T-pose (``rest[j]``, world axes)."""

    def __init__(self, joint_names, parents, offsets) -> None:
        self.joint_names = tuple(joint_names)
        self.parents = np.asarray(parents, int)
        self.offsets = np.asarray(offsets, np.float64)
        self.names = [unity_name(j) for j in self.joint_names]
        self.sent = [j for j, n in enumerate(self.names) if n is not None]
        children: dict[int, list[int]] = {}
        for j, p in enumerate(self.parents):
            children.setdefault(int(p), []).append(j)
        rest = [Rotation.identity()] * len(self.joint_names)
        for j, joint in enumerate(self.joint_names):
            short = joint.split(":")[-1]
            side = next((s for s in ("Left", "Right") if short.startswith(s)), None)
            part = short[len(side):] if side else short
            if side and part in _T_POSE_SIDEWAYS and children.get(j):
                t_pose = np.array([1.0 if side == "Left" else -1.0, 0.0, 0.0])
                rest[j] = _shortest_arc(t_pose, self.offsets[children[j][0]])
            elif side and part.startswith("Hand") and self.parents[j] >= 0:
                rest[j] = rest[self.parents[j]]  # fingers keep their rest relation to the hand
        self.rest = rest
        # the sent joints' rest rotations and their parents' (inverted), as arrays: a frame
        # is then three vectorised products, not a loop over the joints
        sent = np.asarray(self.sent, int)
        self._sent = sent
        self._roots = self.parents[sent] < 0
        self._rest_sent = Rotation.from_quat([rest[j].as_quat() for j in sent])
        self._parent_rest_inv = Rotation.from_quat(
            [(rest[p] if p >= 0 else Rotation.identity()).as_quat()
             for p in self.parents[sent]]).inv()
        self._sent_names = [self.names[j] for j in sent]

    def bone_frame(self, rotations: np.ndarray, root: np.ndarray
                   ) -> list[tuple[str, tuple[float, ...]]]:
        """One body frame -> ``[(HumanBodyBones name, (px, py, pz, qx, qy, qz, qw))]``:
        local positions in metres and local rotations, both in Unity's axes (x mirrored),
        relative to a T-pose with identity rotations. ``rotations``: (joints, 4) xyzw
        relative to the rest pose; ``root``: (3,) hips position in cm."""
        local = Rotation.from_quat(np.asarray(rotations, np.float64)[self._sent])
        q = (self._parent_rest_inv * local * self._rest_sent).as_quat()
        pos = self.offsets[self._sent].copy()
        pos[self._roots] = np.asarray(root, np.float64)
        pos /= 100.0
        values = np.column_stack([-pos[:, 0], pos[:, 1], pos[:, 2],
                                  q[:, 0], -q[:, 1], -q[:, 2], q[:, 3]]).tolist()
        return [(name, tuple(v)) for name, v in zip(self._sent_names, values)]


def parse_address(text: str, example_port: int = 39539) -> tuple[str, int]:
    """``HOST:PORT`` -> (host, port); raises ValueError saying what is accepted (with
    ``example_port`` in its example)."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{text!r} is not HOST:PORT (e.g. 127.0.0.1:{example_port})")
    return host.strip("[]"), int(port)


class VmcSender(PacedSender):
    """Sends live chunks to a VMC receiver at ``host:port``, paced in real time
    (:class:`~studio.live.pacer.FramePacer`), from a thread of its own. :meth:`play` hands it a
    chunk; :meth:`stop` silences a line."""

    def __init__(self, host: str, port: int, joint_names=None, parents=None,
                 offsets=None) -> None:
        from pythonosc.udp_client import SimpleUDPClient

        if joint_names is None:
            from synth.gesture.generator import default_rig

            rig = default_rig()
            joint_names, parents, offsets = rig.joint_names, rig.parents, rig.offsets
        self.address = (host, port)
        self.mapping = HumanoidMapping(joint_names, parents, offsets)
        self._client = SimpleUDPClient(host, port)
        self._started = time.monotonic()
        self.bundles_sent = 0
        self._start_pacer("vmc-sender")

    def _send_face_frame(self, chunk: LiveChunk, i: int) -> None:
        """Face row ``i`` of ``chunk``, with the body frame at the same time on every
        other face frame (the body's 30 fps)."""
        body_ratio = chunk.face_fps / chunk.body_fps
        g = chunk.face_start + i
        b = int(round(g / body_ratio)) - chunk.body_start
        bones = None
        if g % int(round(body_ratio)) == 0 and 0 <= b < len(chunk.rotations):
            bones = self.mapping.bone_frame(chunk.rotations[b], chunk.root[b])
        self._send_frame(chunk.face[i], bones)

    def _send_frame(self, weights: np.ndarray, bones) -> None:
        from pythonosc.osc_bundle_builder import IMMEDIATELY, OscBundleBuilder
        from pythonosc.osc_message_builder import OscMessageBuilder

        def message(address: str, *args):
            m = OscMessageBuilder(address=address)
            for a in args:
                m.add_arg(a)
            return m.build()

        bundle = OscBundleBuilder(IMMEDIATELY)
        bundle.add_content(message("/VMC/Ext/OK", 1))
        bundle.add_content(message("/VMC/Ext/T", float(time.monotonic() - self._started)))
        if bones is not None:
            bundle.add_content(message("/VMC/Ext/Root/Pos", "root", 0.0, 0.0, 0.0,
                                       0.0, 0.0, 0.0, 1.0))
            for name, values in bones:
                bundle.add_content(message("/VMC/Ext/Bone/Pos", name,
                                           *(float(v) for v in values)))
        for name, value in zip(ARKIT_NAMES, weights):
            bundle.add_content(message("/VMC/Ext/Blend/Val", name, float(value)))
        bundle.add_content(message("/VMC/Ext/Blend/Apply"))
        self._client.send(bundle.build())
        self.bundles_sent += 1
