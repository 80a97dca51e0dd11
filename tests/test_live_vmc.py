"""VMC out: a real OSC server socket on 127.0.0.1 receives a live line's face and bones."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

pytest.importorskip("pythonosc")
pytest.importorskip("websockets")
from pythonosc.dispatcher import Dispatcher  # noqa: E402
from pythonosc.osc_server import ThreadingOSCUDPServer  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from studio.cli import main as cli_main  # noqa: E402
from studio.live import LiveStudio  # noqa: E402
from studio.live.server import ServerThread  # noqa: E402
from studio.live.vmc import HumanoidMapping, VmcSender, parse_address  # noqa: E402
from synth.contracts import ARKIT_NAMES  # noqa: E402
from synth.gesture.generator import default_rig  # noqa: E402

TIMEOUT = 120.0
#: Unity's HumanBodyBones names (the VMC protocol names bones by them).
HUMAN_BODY_BONES = set("""Hips LeftUpperLeg RightUpperLeg LeftLowerLeg RightLowerLeg LeftFoot
RightFoot Spine Chest UpperChest Neck Head LeftShoulder RightShoulder LeftUpperArm RightUpperArm
LeftLowerArm RightLowerArm LeftHand RightHand LeftToes RightToes LeftEye RightEye Jaw
LeftThumbProximal LeftThumbIntermediate LeftThumbDistal LeftIndexProximal LeftIndexIntermediate
LeftIndexDistal LeftMiddleProximal LeftMiddleIntermediate LeftMiddleDistal LeftRingProximal
LeftRingIntermediate LeftRingDistal LeftLittleProximal LeftLittleIntermediate LeftLittleDistal
RightThumbProximal RightThumbIntermediate RightThumbDistal RightIndexProximal
RightIndexIntermediate RightIndexDistal RightMiddleProximal RightMiddleIntermediate
RightMiddleDistal RightRingProximal RightRingIntermediate RightRingDistal RightLittleProximal
RightLittleIntermediate RightLittleDistal""".split())


class Receiver:
    """A VMC Marionette stand-in: an OSC UDP server recording (time, address, args)."""

    def __init__(self) -> None:
        self.messages: list[tuple[float, str, tuple]] = []
        self._lock = threading.Lock()
        dispatcher = Dispatcher()
        dispatcher.set_default_handler(self._record)
        self.server = ThreadingOSCUDPServer(("127.0.0.1", 0), dispatcher)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _record(self, address: str, *args) -> None:
        with self._lock:
            self.messages.append((time.monotonic(), address, args))

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(10)

    def snapshot(self) -> list[tuple[float, str, tuple]]:
        with self._lock:
            return list(self.messages)


def test_a_live_line_reaches_a_vmc_receiver_in_real_time():
    with Receiver() as receiver:
        vmc = VmcSender("127.0.0.1", receiver.port)
        live = LiveStudio()
        try:
            with ServerThread(live, vmc=vmc) as server:
                async def run():
                    async with connect(f"ws://127.0.0.1:{server.port}", max_size=None) as ws:
                        await ws.send(json.dumps({"text": "Hello there. [happy] Nice to see you.",
                                                  "id": "v1"}))
                        while True:
                            data = await asyncio.wait_for(ws.recv(), TIMEOUT)
                            if isinstance(data, str) and json.loads(data)["type"] == "done":
                                return json.loads(data)

                done = asyncio.run(run())
                # the line plays in real time from its first chunk: wait for it to finish
                duration = done["duration"]
                deadline = time.monotonic() + duration + TIMEOUT
                frames = int(np.ceil(duration * 60)) + 1
                while time.monotonic() < deadline:
                    applied = sum(1 for _, a, _ in receiver.snapshot()
                                  if a == "/VMC/Ext/Blend/Apply")
                    if applied >= frames:
                        break
                    time.sleep(0.1)
                time.sleep(0.3)  # nothing more should come
        finally:
            live.close()
            vmc.close()

    messages = receiver.snapshot()
    addresses = {a for _, a, _ in messages}
    assert addresses == {"/VMC/Ext/OK", "/VMC/Ext/T", "/VMC/Ext/Root/Pos", "/VMC/Ext/Bone/Pos",
                         "/VMC/Ext/Blend/Val", "/VMC/Ext/Blend/Apply"}
    applies = [t for t, a, _ in messages if a == "/VMC/Ext/Blend/Apply"]
    assert len(applies) == frames  # one face frame per 1/60 s of the line, each applied once
    span = applies[-1] - applies[0]
    assert span > 0.9 * duration  # paced in real time, not dumped at once
    # 60 frames a second: frames in each half second from a frame on (a slow machine may
    # hold the clock back between chunks, and delays single packets, never the pace)
    t = np.array(applies)
    starts = t[t <= t[-1] - 0.5]
    per_second = np.median([np.sum((t >= s) & (t < s + 0.5)) / 0.5 for s in starts])
    assert 54 <= per_second <= 66

    values = [(args[0], args[1]) for _, a, args in messages if a == "/VMC/Ext/Blend/Val"]
    assert {name for name, _ in values} == set(ARKIT_NAMES)
    assert len(values) == 52 * frames
    assert all(0.0 <= v <= 1.0 for _, v in values)
    assert max(v for n, v in values if n == "jawOpen") > 0.1  # the mouth moves with the speech

    bones = [args for _, a, args in messages if a == "/VMC/Ext/Bone/Pos"]
    names = {b[0] for b in bones}
    assert names <= HUMAN_BODY_BONES
    assert {"Hips", "Spine", "Chest", "Neck", "Head", "LeftUpperArm", "RightLowerArm",
            "LeftHand", "RightUpperLeg", "LeftFoot", "LeftIndexProximal"} <= names
    body_frames = len(bones) // len(names)
    assert abs(body_frames - (int(np.ceil(duration * 30)) + 1)) <= 1  # 30 fps
    quats = np.array([b[4:8] for b in bones])
    assert np.allclose(np.linalg.norm(quats, axis=1), 1.0, atol=1e-4)
    hips = np.array([b[1:4] for b in bones if b[0] == "Hips"])
    assert 0.5 < hips[:, 1].mean() < 1.5  # metres: the hips of a standing adult


def test_the_rest_pose_arrives_as_the_avatars_a_pose_on_a_t_pose_humanoid():
    rig = default_rig()
    mapping = HumanoidMapping(rig.joint_names, rig.parents, rig.offsets)
    identity = np.tile([0.0, 0.0, 0.0, 1.0], (len(rig.joint_names), 1))
    sent = dict(mapping.bone_frame(identity, rig.offsets[0]))
    # compose the sent local rotations down the left arm, back in the rig's axes (unmirror x)
    chain = ["Hips", "Spine", "Chest", "UpperChest", "LeftShoulder", "LeftUpperArm"]
    world = Rotation.identity()
    for name in chain:
        p = sent[name]
        world = world * Rotation.from_quat([p[3], -p[4], -p[5], p[6]])
    arm = world.apply([1.0, 0.0, 0.0])  # the T-pose upper arm points along +x (left)
    j = rig.joint_names.index("mixamorig:LeftForeArm")
    rest = rig.offsets[j] / np.linalg.norm(rig.offsets[j])
    assert np.dot(arm, rest) > 0.999  # ... and now along the avatar's resting upper arm
    assert sent["Spine"][3:] == pytest.approx((0.0, 0.0, 0.0, 1.0), abs=1e-9)


def test_serve_rejects_a_bad_vmc_address_or_port_with_exit_status_2(capsys):
    assert cli_main(["serve", "--vmc", "nowhere"]) == 2
    assert "HOST:PORT" in capsys.readouterr().err
    assert cli_main(["serve", "--port", "70000"]) == 2
    assert parse_address("127.0.0.1:39539") == ("127.0.0.1", 39539)
