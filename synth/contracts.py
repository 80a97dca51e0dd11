"""The contracts between the synthesis rooms: speech with its timeline, face and body animation.

Plain dataclasses over numpy arrays, with units and shapes in the field docs. The TTS
(``synth.tts``) produces :class:`Speech`; the face (``synth.face``) and gesture
(``synth.gesture``) parts consume its :class:`Timeline` and produce :class:`FaceAnimation` and
:class:`BodyAnimation`.

Phoneme symbols are IPA as espeak-ng writes them for piper voices (e.g. ``"p"``, ``"ɑː"``,
``"ð"``); the audio-only path (pocketsphinx, ARPAbet) converts to the same set. ``"_"`` marks a
pause.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

#: The 52 ARKit blendshape names, in Apple's order (see ../shared/docs/FORMATS.md).
ARKIT_NAMES: tuple[str, ...] = (
    "eyeBlinkLeft", "eyeLookDownLeft", "eyeLookInLeft", "eyeLookOutLeft", "eyeLookUpLeft",
    "eyeSquintLeft", "eyeWideLeft",
    "eyeBlinkRight", "eyeLookDownRight", "eyeLookInRight", "eyeLookOutRight", "eyeLookUpRight",
    "eyeSquintRight", "eyeWideRight",
    "jawForward", "jawLeft", "jawRight", "jawOpen",
    "mouthClose", "mouthFunnel", "mouthPucker", "mouthLeft", "mouthRight", "mouthSmileLeft",
    "mouthSmileRight", "mouthFrownLeft", "mouthFrownRight", "mouthDimpleLeft", "mouthDimpleRight",
    "mouthStretchLeft", "mouthStretchRight", "mouthRollLower", "mouthRollUpper", "mouthShrugLower",
    "mouthShrugUpper", "mouthPressLeft", "mouthPressRight", "mouthLowerDownLeft",
    "mouthLowerDownRight", "mouthUpperUpLeft", "mouthUpperUpRight",
    "browDownLeft", "browDownRight", "browInnerUp", "browOuterUpLeft", "browOuterUpRight",
    "cheekPuff", "cheekSquintLeft", "cheekSquintRight", "noseSneerLeft", "noseSneerRight",
    "tongueOut",
)

#: The 15 Oculus/Meta visemes, in their standard order.
OCULUS_VISEMES: tuple[str, ...] = (
    "sil", "PP", "FF", "TH", "DD", "kk", "CH", "SS", "nn", "RR", "aa", "E", "ih", "oh", "ou",
)


@dataclass
class Phoneme:
    symbol: str
    """IPA symbol (espeak-ng style); ``"_"`` is a pause."""
    start: float
    """Onset in seconds from the start of the audio."""
    end: float
    """Offset in seconds."""
    stress: int = 0
    """Lexical stress of the syllable it belongs to: 0 none, 1 primary, 2 secondary."""
    word: int = -1
    """Index into :attr:`Timeline.words`, -1 for pauses."""
    syllable: int = -1
    """Index into :attr:`Timeline.syllables`, -1 for pauses."""


@dataclass
class Syllable:
    start: float
    """Onset in seconds."""
    end: float
    """Offset in seconds."""
    stress: int = 0
    """0 none, 1 primary, 2 secondary."""
    word: int = -1
    """Index into :attr:`Timeline.words`."""
    accent: bool = False
    """True when the syllable carries a pitch accent (set by the prosody model or analysis)."""


@dataclass
class Word:
    text: str
    """The word as written in the input."""
    start: float
    """Onset in seconds."""
    end: float
    """Offset in seconds."""
    char_start: int = -1
    """Character offset of the word in the plan's text, -1 when unknown (audio-only path)."""


@dataclass
class Bookmark:
    """A named point of a take (an SSML ``<mark>``, Azure's bookmark events)."""

    name: str
    time: float
    """Seconds from the start of the audio."""


@dataclass
class Timeline:
    """What was said when: phonemes, syllables and words, plus F0 and energy curves."""

    duration: float
    """Length of the audio in seconds."""
    phonemes: list[Phoneme] = field(default_factory=list)
    syllables: list[Syllable] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)
    hop: float = 0.005
    """Spacing of the F0 and energy frames in seconds."""
    f0: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    """(frames,) float32 fundamental frequency in Hertz; 0 where unvoiced."""
    energy: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    """(frames,) float32 short-time energy in dB relative to full scale (dBFS)."""
    marks: list[Bookmark] = field(default_factory=list)
    """Named points (SSML ``<mark>``), in order; saved only when there are some."""

    def to_dict(self) -> dict:
        marks = ({"marks": [dict(name=m.name, time=round(m.time, 5)) for m in self.marks]}
                 if self.marks else {})
        return {
            "duration": round(float(self.duration), 5),
            "phonemes": [dict(symbol=p.symbol, start=round(p.start, 5), end=round(p.end, 5),
                              stress=p.stress, word=p.word, syllable=p.syllable)
                         for p in self.phonemes],
            "syllables": [dict(start=round(s.start, 5), end=round(s.end, 5), stress=s.stress,
                               word=s.word, accent=s.accent) for s in self.syllables],
            "words": [dict(text=w.text, start=round(w.start, 5), end=round(w.end, 5),
                           char_start=w.char_start) for w in self.words],
            "hop": self.hop,
            "f0": [round(float(x), 2) for x in self.f0],
            "energy": [round(float(x), 2) for x in self.energy],
            **marks,
        }

    @classmethod
    def from_dict(cls, d: dict) -> Timeline:
        return cls(
            duration=float(d["duration"]),
            phonemes=[Phoneme(**p) for p in d.get("phonemes", [])],
            syllables=[Syllable(**s) for s in d.get("syllables", [])],
            words=[Word(**w) for w in d.get("words", [])],
            hop=float(d.get("hop", 0.005)),
            f0=np.asarray(d.get("f0", []), np.float32),
            energy=np.asarray(d.get("energy", []), np.float32),
            marks=[Bookmark(str(m["name"]), float(m["time"])) for m in d.get("marks", [])],
        )

    def save(self, path: str | Path) -> None:
        """Write as JSON, atomically (temporary name, then rename)."""
        from synth.atomic import atomic_write_text

        atomic_write_text(path, json.dumps(self.to_dict()))

    @classmethod
    def load(cls, path: str | Path) -> Timeline:
        return cls.from_dict(json.loads(Path(path).read_text()))


@dataclass
class Speech:
    """Synthesised (or recorded) speech and what is said when."""

    audio: np.ndarray
    """(samples,) float32 mono in [-1, 1]."""
    sample_rate: int
    """Samples per second in Hertz."""
    timeline: Timeline

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.audio) / float(self.sample_rate)


@dataclass
class FaceAnimation:
    """Blendshape, head and eye curves of a talking head, sampled at ``fps``."""

    fps: float
    """Frames per second (60 by default)."""
    weights: np.ndarray
    """(frames, 52) float32 in [0, 1], columns in :data:`ARKIT_NAMES` order."""
    head: np.ndarray
    """(frames, 3) float32 head rotation in degrees: yaw (left +), pitch (down +), roll."""
    eyes: np.ndarray
    """(frames, 2, 2) float32 eye rotation in degrees: [left, right] x [yaw, pitch]."""
    visemes: np.ndarray
    """(frames, 15) float32 in [0, 1], columns in :data:`OCULUS_VISEMES` order."""
    names: tuple[str, ...] = ARKIT_NAMES
    """Blendshape names of the weight columns."""

    @property
    def frames(self) -> int:
        return int(self.weights.shape[0])

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.frames / float(self.fps)

    def curve(self, name: str) -> np.ndarray:
        """(frames,) weight curve of one blendshape, by ARKit name."""
        return self.weights[:, self.names.index(name)]


@dataclass
class BodyAnimation:
    """Skeletal animation on the avatar's rig (Mixamo bone names), sampled at ``fps``."""

    fps: float
    """Frames per second (30 by default)."""
    joint_names: tuple[str, ...]
    """Bone names, e.g. ``"mixamorig:Hips"``; parents come before children."""
    parents: np.ndarray
    """(joints,) int parent index of each joint, -1 for the root."""
    offsets: np.ndarray
    """(joints, 3) float32 rest-pose offset of each joint from its parent, centimetres, Y up."""
    rotations: np.ndarray
    """(frames, joints, 4) float32 local rotations relative to the rest pose, quaternions xyzw."""
    root_translation: np.ndarray
    """(frames, 3) float32 root position in centimetres, Y up."""

    @property
    def frames(self) -> int:
        return int(self.rotations.shape[0])

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.frames / float(self.fps)
