"""Live chunks -> Live Link Face packets (UDP), paced in real time, for Unreal's Live Link.

Epic's Live Link Face app streams an iPhone's ARKit face to Unreal over UDP (port 11111 by
default); Unreal's Live Link Face / ARKit source (``AppleARKitFaceSupport``) turns each packet
into a subject's frame of 61 curves. This sender speaks the same packets, version 6, all in
network byte order (big-endian) as Unreal's ``FNboSerializeToBuffer`` writes them:

======================  =========================================================================
``uint8``               packet version (6)
``int32`` + bytes       device id (a UUID, 36 ASCII characters; one per sender)
``int32`` + bytes       subject name (UTF-8), what Live Link lists the face under
``int32``, ``float32``  frame time: frame number and sub-frame (``FFrameTime``)
``int32``, ``int32``    frame rate: numerator 60, denominator 1 (``FFrameRate``)
``uint8``               curve count (61)
61 x ``float32``        the 52 blendshapes in Unreal's ``EARFaceBlendShape`` order
                        (:data:`PACKET_CURVES`), then head yaw, pitch, roll and left/right eye
                        yaw, pitch, roll
======================  =========================================================================

Blendshapes are weights in [0, 1]; rotations are in radians (yaw left +, pitch down +), as in
the ``face.llf.csv`` export. The frame time is the line's clock as a timecode: face frame
``g`` of a line (at ``g / 60`` s from its first audio sample) goes out as frame number ``g``,
sub-frame 0, at 60/1 fps, so a recording in Unreal's Take Recorder lines up with the line's
audio and timeline. Paced as every avatar output is (``studio.live.pacer``): one packet per
face frame, 60 a second, from the moment a line's first chunk arrives.
"""

from __future__ import annotations

import socket
import struct
import uuid

import numpy as np

from studio.export.llf import LLF_BLENDSHAPES, LLF_ROTATIONS, pascal
from studio.live.chunk import LiveChunk
from studio.live.pacer import PacedSender
from synth.contracts import ARKIT_NAMES

#: Packet version of Live Link Face (4: device id added, 5: timecode, 6: frame rate).
PACKET_VERSION = 6
#: The 61 curves of a packet in Unreal's ``EARFaceBlendShape`` order (which the packet's
#: values follow): the CSV's blendshapes (``studio.export.llf``) except that the app's CSV
#: swaps the left and right of the jaw and mouth shifts, then the head and eye rotations.
PACKET_CURVES: tuple[str, ...] = tuple(
    {"JawRight": "JawLeft", "JawLeft": "JawRight",
     "MouthRight": "MouthLeft", "MouthLeft": "MouthRight"}.get(n, n)
    for n in LLF_BLENDSHAPES) + LLF_ROTATIONS
#: Curves per packet: 52 blendshapes, head yaw/pitch/roll, each eye's yaw/pitch/roll.
CURVE_COUNT = len(PACKET_CURVES)
#: Live Link Face's default port on the Unreal side.
DEFAULT_PORT = 11111
#: Subject name Live Link lists the face under unless told otherwise.
DEFAULT_SUBJECT = "emostudio"
#: Longest subject name accepted, in UTF-8 bytes (Unreal reads at most 256 characters).
MAX_SUBJECT_BYTES = 255

#: Column in ARKIT_NAMES order of each of the packet's 52 blendshapes.
_PACKET_FROM_ARKIT = np.array([[pascal(n) for n in ARKIT_NAMES].index(b)
                               for b in PACKET_CURVES[:len(ARKIT_NAMES)]])


def check_subject(name: str) -> str:
    """``name`` if it can be a subject name; raises ValueError saying what is accepted."""
    if not isinstance(name, str) or not name.strip() or \
            len(name.encode("utf-8")) > MAX_SUBJECT_BYTES or not name.isprintable():
        raise ValueError(f"subject name {name!r} must be 1 to {MAX_SUBJECT_BYTES} bytes of "
                         "printable text")
    return name


def llf_curves(weights: np.ndarray, head: np.ndarray, eyes: np.ndarray) -> np.ndarray:
    """Face frames -> (n, 61) float32 Live Link Face curves (:data:`PACKET_CURVES` order).
    ``weights``: (n, 52) in ``ARKIT_NAMES`` order; ``head``: (n, 3) yaw, pitch, roll in
    degrees; ``eyes``: (n, 2, 2) [left, right] x [yaw, pitch] in degrees (eye roll: 0)."""
    weights = np.asarray(weights, np.float64).reshape(-1, len(ARKIT_NAMES))
    n = len(weights)
    head = np.deg2rad(np.asarray(head, np.float64).reshape(n, 3))
    eyes = np.deg2rad(np.asarray(eyes, np.float64).reshape(n, 2, 2))
    zeros = np.zeros((n, 1))
    return np.concatenate([weights[:, _PACKET_FROM_ARKIT], head,
                           eyes[:, 0], zeros, eyes[:, 1], zeros], axis=1).astype(np.float32)


def encode_packet(device_id: str, subject: str, frame: int, curves: np.ndarray,
                  fps: int = 60) -> bytes:
    """One Live Link Face packet: ``curves`` (61,) at frame number ``frame`` of ``fps``."""
    device = device_id.encode("ascii")
    name = subject.encode("utf-8")
    values = np.asarray(curves, ">f4").reshape(CURVE_COUNT)
    return b"".join([
        struct.pack("!B", PACKET_VERSION),
        struct.pack("!i", len(device)), device,
        struct.pack("!i", len(name)), name,
        struct.pack("!ifiiB", int(frame), 0.0, int(fps), 1, CURVE_COUNT),
        values.tobytes(),
    ])


class LiveLinkSender(PacedSender):
    """Sends live chunks' faces to Unreal Live Link at ``host:port`` (UDP) as Live Link Face
    packets under subject ``subject``, paced in real time from a thread of its own.
    :meth:`play` hands it a chunk; :meth:`stop` silences a line; :meth:`close` ends it.
    Raises ValueError for a host that does not resolve."""

    def __init__(self, host: str, port: int = DEFAULT_PORT,
                 subject: str = DEFAULT_SUBJECT) -> None:
        self.address = (host, port)
        self.subject = check_subject(subject)
        self.device_id = str(uuid.uuid4())  # 36 characters, as the app's device ids
        try:
            family, _, _, _, self._sockaddr = socket.getaddrinfo(
                host, port, type=socket.SOCK_DGRAM)[0]
        except (OSError, UnicodeError) as exc:
            raise ValueError(f"cannot resolve {host!r}: {exc}") from None
        self._socket = socket.socket(family, socket.SOCK_DGRAM)
        self.packets_sent = 0
        self._start_pacer("livelink-sender")

    def close(self, timeout: float = 5.0) -> None:
        super().close(timeout)
        self._socket.close()

    def _send_face_frame(self, chunk: LiveChunk, i: int) -> None:
        curves = llf_curves(chunk.face[i:i + 1], chunk.head[i:i + 1], chunk.eyes[i:i + 1])[0]
        packet = encode_packet(self.device_id, self.subject, chunk.face_start + i, curves,
                               int(round(chunk.face_fps)))
        try:
            self._socket.sendto(packet, self._sockaddr)
        except OSError:  # nobody listening yet (ICMP refused) or a network hiccup: UDP goes on
            return
        self.packets_sent += 1
