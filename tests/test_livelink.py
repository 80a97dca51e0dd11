"""Live Link Face out: a real UDP socket on 127.0.0.1 receives a live line's face, decoded by an
independent implementation of the packet format (``pylivelinkface``)."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time

import numpy as np
import pytest

pytest.importorskip("websockets")
pylivelinkface = pytest.importorskip("pylivelinkface")
from pylivelinkface import FaceBlendShape, PyLiveLinkFace  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from studio.cli import main as cli_main  # noqa: E402
from studio.export.arkit import read_arkit, write_arkit  # noqa: E402
from studio.export.llf import pascal  # noqa: E402
from studio.live import LiveStudio  # noqa: E402
from studio.live.livelink import PACKET_CURVES, LiveLinkSender  # noqa: E402
from studio.live.server import ServerThread  # noqa: E402
from synth.contracts import ARKIT_NAMES, OCULUS_VISEMES, FaceAnimation  # noqa: E402

TIMEOUT = 120.0
SUBJECT = "Mara_Face"


class UdpReceiver:
    """Unreal's Live Link Face source stand-in: a UDP socket recording (time, packet)."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.packets: list[tuple[float, bytes]] = []
        self._lock = threading.Lock()
        self._running = True
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while self._running:
            try:
                data = self.socket.recv(4096)
            except socket.timeout:
                continue
            with self._lock:
                self.packets.append((time.monotonic(), data))

    def __enter__(self) -> UdpReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._running = False
        self._thread.join(5)
        self.socket.close()

    def snapshot(self) -> list[tuple[float, bytes]]:
        with self._lock:
            return list(self.packets)


def test_the_decoded_packets_give_back_the_lines_face_frame_by_frame(tmp_path):
    assert [s.name for s in FaceBlendShape] == list(PACKET_CURVES)  # Unreal's curve order
    with UdpReceiver() as receiver:
        sender = LiveLinkSender("127.0.0.1", receiver.port, SUBJECT)
        live = LiveStudio()
        try:
            with ServerThread(live, livelink=sender) as server:
                async def run():
                    chunks = []
                    async with connect(f"ws://127.0.0.1:{server.port}", max_size=None) as ws:
                        await ws.send(json.dumps({"text": "Hello there. [happy] Nice to see "
                                                          "you again.", "id": "ll1"}))
                        while True:
                            data = await asyncio.wait_for(ws.recv(), TIMEOUT)
                            if isinstance(data, bytes):
                                continue
                            message = json.loads(data)
                            if message["type"] == "chunk":
                                chunks.append(message["face"])
                            if message["type"] in ("done", "error"):
                                return message, chunks

                done, faces = asyncio.run(run())
                assert done["type"] == "done" and done["status"] == "complete"
                frames = sum(len(f["weights"]) for f in faces)
                deadline = time.monotonic() + done["duration"] + TIMEOUT
                while len(receiver.snapshot()) < frames and time.monotonic() < deadline:
                    time.sleep(0.1)
                time.sleep(0.3)  # nothing more should come
        finally:
            live.close()
            sender.close()

    # the line's face as the WebSocket delivered it, saved as face.arkit.json
    weights = np.concatenate([np.asarray(f["weights"], np.float32) for f in faces])
    head = np.concatenate([np.asarray(f["head"], np.float32) for f in faces])
    eyes = np.concatenate([np.asarray(f["eyes"], np.float32) for f in faces]).reshape(-1, 2, 2)
    assert [f["start_frame"] for f in faces] == list(
        np.cumsum([0] + [len(f["weights"]) for f in faces[:-1]]))
    take = FaceAnimation(60.0, weights, head, eyes,
                         np.zeros((len(weights), len(OCULUS_VISEMES)), np.float32))
    saved = read_arkit(write_arkit(take, tmp_path / "face.arkit.json"))

    packets = receiver.snapshot()
    assert len(packets) == saved.frames  # one packet per face frame, each sent once
    decoded = []
    for _, data in packets:
        ok, face = PyLiveLinkFace.decode(data)
        assert ok
        assert face.name == SUBJECT and face.fps == 60 and face._denominator == 1
        assert face._version == 6 and len(face.uuid) == 37  # "$" + a 36-character device id
        decoded.append(face)
    # frame times: the line's clock as a 60 fps timecode, frame g at g / 60 s
    assert [f._frames for f in decoded] == list(range(saved.frames))
    got = np.array([[f.get_blendshape(FaceBlendShape[pascal(n)]) for n in ARKIT_NAMES]
                    for f in decoded])
    np.testing.assert_allclose(got, saved.weights, atol=1e-4)  # the 52 curves, frame by frame
    assert got[:, ARKIT_NAMES.index("jawOpen")].max() > 0.1    # the mouth moves with the speech
    rotations = np.degrees([[f.get_blendshape(FaceBlendShape[n]) for n in (
        "HeadYaw", "HeadPitch", "HeadRoll", "LeftEyeYaw", "LeftEyePitch", "RightEyeYaw",
        "RightEyePitch")] for f in decoded])
    np.testing.assert_allclose(rotations[:, :3], saved.head, atol=2e-3)
    np.testing.assert_allclose(rotations[:, 3:], saved.eyes.reshape(-1, 4), atol=2e-3)
    assert np.ptp(rotations[:, 0]) > 0.1  # the head moves

    # paced in real time: 60 packets a second, not dumped at once
    t = np.array([arrived for arrived, _ in packets])
    assert t[-1] - t[0] > 0.9 * done["duration"]
    starts = t[t <= t[-1] - 0.5]
    per_second = np.median([np.sum((t >= s) & (t < s + 0.5)) / 0.5 for s in starts])
    assert 54 <= per_second <= 66


def test_serve_rejects_a_bad_livelink_address_or_subject_with_exit_status_2(capsys):
    assert cli_main(["serve", "--livelink", "unreal"]) == 2
    err = capsys.readouterr().err
    assert "HOST:PORT" in err and "11111" in err and len(err.strip().splitlines()) == 1
    assert cli_main(["serve", "--livelink", "127.0.0.1:11111", "--livelink-subject", " "]) == 2
    assert "--livelink-subject" in capsys.readouterr().err
    assert cli_main(["serve", "--livelink-subject", "Face"]) == 2
    assert "needs --livelink" in capsys.readouterr().err
