"""What an SSML document asks for, as plain data: the text to speak, its emotions, its voices and
per-word speech directions (rate, pitch, volume, emphasis, breaks, marks, phonemes).

Every offset is a character offset into :attr:`SsmlDocument.text` (the plain text spoken: markup
removed, ``<say-as>`` and ``<sub>`` expanded, whitespace collapsed). The synthesis stages take a
:class:`SpeechDirections` (``synth.tts.EmotionalTTS.speak(..., directions=)``); an
:class:`SsmlPlan` is an :class:`~controllers.target.EmotionPlan` that carries them along.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from controllers.target import EmotionPlan, EmotionSegment, EmotionTarget

#: How pitch changes are written (``PitchChange.kind``): relative semitones, relative Hertz,
#: absolute Hertz.
PITCH_KINDS = ("st", "hz", "abs_hz")
#: ``<emphasis level>`` values, strongest first.
EMPHASIS_LEVELS = ("strong", "moderate", "none", "reduced")


@dataclass(frozen=True)
class PitchChange:
    """One ``<prosody pitch>`` change: ``kind`` ``"st"`` (semitones up, relative), ``"hz"``
    (Hertz up, relative to the pitch in force) or ``"abs_hz"`` (the pitch in Hertz)."""

    kind: str
    value: float

    def apply(self, base_hz: float, current_hz: float) -> float:
        """The pitch in Hertz after this change, from ``current_hz`` (the voice's own level
        ``base_hz`` being 0 st)."""
        if self.kind == "st":
            return current_hz * 2.0 ** (self.value / 12.0)
        if self.kind == "hz":
            return max(current_hz + self.value, 1.0)
        return max(self.value, 1.0)


def pitch_shift_st(changes: tuple[PitchChange, ...], base_hz: float) -> float:
    """Semitones between ``base_hz`` (the voice's own pitch) and the pitch after ``changes``
    (applied outermost first)."""
    current = base_hz
    for change in changes:
        current = change.apply(base_hz, current)
    return 12.0 * math.log2(current / base_hz)


@dataclass(frozen=True)
class WordDirection:
    """How one word (``text[start:end]``, a run of non-space characters) is to be spoken."""

    start: int
    end: int
    rate: float = 1.0
    """Factor on the speaking rate (2: twice as fast, durations halved), on top of the
    emotion's own timing."""
    pitch: tuple[PitchChange, ...] = ()
    """Pitch changes in force, outermost first (composed on top of the emotion's pitch)."""
    volume_db: float = 0.0
    """Loudness change in dB on top of the emotion's."""
    emphasis: str | None = None
    """``<emphasis>`` level (:data:`EMPHASIS_LEVELS`), None outside any."""
    break_after_s: float = 0.0
    """Pause after the word in seconds (``<break>``); 0 for none."""

    @property
    def is_plain(self) -> bool:
        """True when the word is spoken as the emotion alone would speak it."""
        return (self.rate == 1.0 and not self.pitch and self.volume_db == 0.0
                and self.emphasis is None and self.break_after_s == 0.0)


@dataclass(frozen=True)
class Mark:
    """A ``<mark name>``: a named point of the text (Azure's bookmarks)."""

    name: str
    offset: int
    """Character offset of the point: the start of the word after it, or the text's length
    when no word follows."""


@dataclass(frozen=True)
class PhonemeRun:
    """A ``<phoneme alphabet="ipa" ph>``: ``text[start:end]`` is spoken as ``ipa``."""

    start: int
    end: int
    ipa: str


@dataclass(frozen=True)
class SpeechDirections:
    """Per-word directions of a text, for the voice (and, through the timeline, face and body)."""

    words: tuple[WordDirection, ...] = ()
    """One per word of the text, in order."""
    break_before_s: float = 0.0
    """Pause before the first word, seconds."""
    marks: tuple[Mark, ...] = ()
    phonemes: tuple[PhonemeRun, ...] = ()

    @property
    def is_plain(self) -> bool:
        """True when the directions change nothing (the text is spoken as plain text is)."""
        return (all(w.is_plain for w in self.words) and self.break_before_s == 0.0
                and not self.marks and not self.phonemes)

    def word_at(self, offset: int) -> WordDirection | None:
        """The direction of the word holding character ``offset``, or None."""
        for w in self.words:
            if w.start <= offset < w.end:
                return w
        return None

    def sub(self, start: int, end: int) -> SpeechDirections:
        """The directions of ``text[start:end]`` with offsets made relative to ``start`` (a
        break or mark at ``end`` belongs to the part that ends there)."""
        words = tuple(replace(w, start=w.start - start, end=w.end - start)
                      for w in self.words if start <= w.start < end)
        # a mark stands at a word's start or at the text's end, never at a part's inner end
        marks = tuple(replace(m, offset=m.offset - start) for m in self.marks
                      if start <= m.offset <= end)
        phonemes = tuple(replace(p, start=p.start - start, end=p.end - start)
                         for p in self.phonemes if start <= p.start < end)
        return SpeechDirections(words, self.break_before_s if start == 0 else 0.0, marks,
                                phonemes)


@dataclass(frozen=True)
class EmotionRun:
    """A stretch of text with an emotion of its own (Azure's ``<mstts:express-as>``)."""

    start: int
    end: int
    description: str
    """What the natural-language controller reads (``"cheerful"``, ``"whispering, scared"``)."""
    degree: float = 1.0
    """Factor on the emotion's intensity (Azure's ``styledegree``, 0.01 to 2)."""
    style: str = ""
    """The style as written (``cheerful``)."""


@dataclass(frozen=True)
class VoiceRun:
    """A stretch of text spoken by one character (``<voice name>``, or an express-as ``role``)."""

    start: int
    end: int
    character: str
    """A name ``controllers.cast.load_character`` knows."""


@dataclass(frozen=True)
class SsmlPlan(EmotionPlan):
    """An :class:`EmotionPlan` with the SSML document's speech directions: what the studio's
    stages pass down so that the voice realises them."""

    directions: SpeechDirections = field(default_factory=SpeechDirections)
    warnings: tuple[str, ...] = ()
    """What the document asks for that is not performed (shown to the user)."""
    characters: tuple[str, ...] = ()
    """The characters its ``<voice>`` s name, in order (the caller picks who speaks: one
    character for the take, or :meth:`SsmlDocument.voice_parts` for a dialogue)."""


@dataclass(frozen=True)
class SsmlDocument:
    """A parsed SSML document (``controllers.ssml.parse_ssml``)."""

    text: str
    """The plain text spoken."""
    directions: SpeechDirections
    emotions: tuple[EmotionRun, ...] = ()
    voices: tuple[VoiceRun, ...] = ()
    warnings: tuple[str, ...] = ()
    """Things the studio does not perform (unknown elements, ...): their text is spoken."""

    @property
    def characters(self) -> tuple[str, ...]:
        """The characters the ``<voice>`` runs name, in order of first appearance."""
        return tuple(dict.fromkeys(v.character for v in self.voices))

    def plan(self, emotion=None) -> SsmlPlan:
        """The emotion plan: ``emotion`` (anything ``controllers.resolve.plan_for`` takes, the
        caller's default) where no ``<mstts:express-as>`` says otherwise, with the directions."""
        from controllers.parse import parse_description
        from controllers.resolve import plan_for

        base = plan_for(self.text, emotion)
        if base.text != self.text:  # (plan_for tidies whitespace as the parser does)
            base = EmotionPlan.constant(self.text, base.main_target)
        starts: list[tuple[int, EmotionTarget]] = []
        bounds = sorted({0, len(self.text)} | {r.start for r in self.emotions}
                        | {r.end for r in self.emotions} | {s.start for s in base.segments})
        for a in bounds[:-1]:
            run = next((r for r in reversed(self.emotions) if r.start <= a < r.end), None)
            if run is None:
                target = base.target_at(a)
            else:
                target = _run_target(run, parse_description)
            if not starts or starts[-1][1] != target:
                starts.append((a, target))
        ends = [a for a, _ in starts[1:]] + [len(self.text)]
        segments = tuple(EmotionSegment(a, self.text[a:b], t)
                         for (a, t), b in zip(starts, ends))
        return SsmlPlan(self.text, segments, self.directions, self.warnings, self.characters)

    def voice_parts(self) -> list[tuple[str | None, SsmlDocument]]:
        """The document cut where the speaking character changes: ``(character or None for the
        caller's default, the part as a document of its own)``, in order."""
        cuts = sorted({0, len(self.text)} | {v.start for v in self.voices}
                      | {v.end for v in self.voices})
        parts: list[tuple[str | None, int, int]] = []
        for a, b in zip(cuts, cuts[1:]):
            who = next((v.character for v in self.voices if v.start <= a < v.end), None)
            if not self.text[a:b].strip():
                continue
            if parts and parts[-1][0] == who:
                parts[-1] = (who, parts[-1][1], b)
            else:
                parts.append((who, a, b))
        return [(who, self.part(a, b)) for who, a, b in parts]

    def part(self, start: int, end: int) -> SsmlDocument:
        """The document over ``text[start:end]`` (stripped of surrounding spaces)."""
        piece = self.text[start:end]
        lead = len(piece) - len(piece.lstrip())
        a, b = start + lead, start + len(piece.rstrip())

        def clip(runs):
            return tuple(replace(r, start=max(r.start, a) - a, end=min(r.end, b) - a)
                         for r in runs if r.start < b and r.end > a)

        return SsmlDocument(self.text[a:b], self.directions.sub(a, b), clip(self.emotions),
                            clip(self.voices), self.warnings)


def _run_target(run: EmotionRun, parse_description) -> EmotionTarget:
    target = parse_description(run.description).target
    if run.degree == 1.0:
        return target
    return target.with_intensity(min(1.0, target.intensity * run.degree))
