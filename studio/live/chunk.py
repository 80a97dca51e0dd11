"""The unit of the live stream: one phrase's voice, face and body on the line's clock.

Every time in a chunk is in seconds on one clock: the line's, whose zero is the line's first
audio sample. Concatenating the chunks' audio in order gives the whole line; their face
frames (and body frames) follow each other without gap or overlap: frame ``g`` of the face
is at ``g / face_fps`` seconds, and a chunk holds the frames from ``ceil(t0 * fps)`` up to
(not including) ``ceil(t1 * fps)``, the last chunk one more (the frame at or just past the
end, as :func:`synth.face.animate_face` counts frames).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from synth.contracts import Bookmark, Phoneme, Word

#: Audio format of the stream: 16-bit signed little-endian PCM, mono, this rate (Hz).
SAMPLE_RATE = 22050
#: Frame rates of the face (ARKit-52 weights) and the body (bone rotations), frames/s.
FACE_FPS = 60.0
BODY_FPS = 30.0


@dataclass
class LiveChunk:
    """One phrase of a line: PCM audio plus the face and body frames over the same time."""

    line_id: str
    """The line this chunk belongs to."""
    index: int
    """Position in the line (0 first)."""
    text: str
    """The phrase's text as written in the line (tags removed)."""
    char_start: int
    """Character offset of :attr:`text` in the line's text."""
    sample_start: int
    """Index of the chunk's first sample on the line's clock."""
    audio: np.ndarray
    """(samples,) int16 mono PCM at :attr:`sample_rate`."""
    sample_rate: int
    """Samples per second in Hertz (22,050)."""
    face_start: int
    """Frame number (at :attr:`face_fps`, on the line's clock) of row 0 of :attr:`face`."""
    face: np.ndarray
    """(n, 52) float32 ARKit weights in [0, 1], columns in ``synth.contracts.ARKIT_NAMES`` order."""
    head: np.ndarray
    """(n, 3) float32 head yaw (left +), pitch (down +), roll in degrees."""
    eyes: np.ndarray
    """(n, 2, 2) float32 eye rotation in degrees: [left, right] x [yaw, pitch]."""
    body_start: int
    """Frame number (at :attr:`body_fps`) of row 0 of :attr:`rotations`."""
    rotations: np.ndarray
    """(m, joints, 4) float32 local bone rotations relative to the rest pose, quaternions xyzw
    (Mixamo bone names, ``BodyAnimation.joint_names`` order)."""
    root: np.ndarray
    """(m, 3) float32 root (hips) position in centimetres, Y up."""
    words: list[Word] = field(default_factory=list)
    """The phrase's words: start/end in seconds on the line's clock, ``char_start`` in the
    line's text."""
    phonemes: list[Phoneme] = field(default_factory=list)
    """The phrase's phonemes (IPA, ``"_"`` a pause), seconds on the line's clock; ``word``
    indexes the line's words counted over all chunks."""
    marks: list[Bookmark] = field(default_factory=list)
    """SSML ``<mark>`` s in the phrase: name and time in seconds on the line's clock."""
    last: bool = False
    """True for the line's last chunk."""
    face_fps: float = FACE_FPS
    body_fps: float = BODY_FPS

    @property
    def t0(self) -> float:
        """Start of the chunk's audio on the line's clock, seconds."""
        return self.sample_start / float(self.sample_rate)

    @property
    def t1(self) -> float:
        """End of the chunk's audio on the line's clock, seconds."""
        return (self.sample_start + len(self.audio)) / float(self.sample_rate)

    @property
    def duration(self) -> float:
        return len(self.audio) / float(self.sample_rate)

    @property
    def face_times(self) -> np.ndarray:
        """(n,) times of the face frames, seconds on the line's clock."""
        return (self.face_start + np.arange(len(self.face))) / self.face_fps

    @property
    def body_times(self) -> np.ndarray:
        """(m,) times of the body frames, seconds on the line's clock."""
        return (self.body_start + np.arange(len(self.rotations))) / self.body_fps


def frames_before(samples: int, sample_rate: int, fps: float) -> int:
    """Frames at ``fps`` whose time is before ``samples / sample_rate`` seconds:
    ``ceil(samples * fps / sample_rate)``, in exact integer arithmetic where ``fps`` is whole."""
    if float(fps).is_integer():
        return -(-samples * int(fps) // sample_rate)
    return int(np.ceil(samples * fps / sample_rate - 1e-9))


def to_pcm16(audio: np.ndarray) -> np.ndarray:
    """(samples,) float audio in [-1, 1] -> int16 PCM (rounded, clipped)."""
    return np.clip(np.round(np.asarray(audio, np.float64) * 32767.0), -32768, 32767).astype(
        np.int16)
