"""An SSML element tree -> :class:`~controllers.ssml.document.SsmlDocument`.

Supported (W3C SSML 1.1 and Azure's extension): ``<speak>``, ``<p>``/``<s>`` (a sentence ends
there), ``<voice name>``, ``<break time|strength>``, ``<prosody rate pitch volume>`` (nested ones
compose), ``<emphasis level>``, ``<say-as interpret-as format>``, ``<sub alias>``,
``<phoneme alphabet="ipa" ph>``, ``<mark name>`` (also ``<bookmark mark>``), Azure's
``<mstts:express-as style styledegree role>`` and ``<mstts:silence>`` (no effect: the voice's own
pauses are kept), ``<lang>`` (read in the voice's language). ``<desc>``, ``<metadata>``,
``<lexicon>``, ``<meta>`` hold nothing to say. Anything else: its text is spoken and a warning
names it. A value that cannot be read is an :class:`InputError` with its ``line:column``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from controllers.errors import InputError
from controllers.ssml import values
from controllers.ssml.azure import role_character, style_description
from controllers.ssml.document import (EMPHASIS_LEVELS, EmotionRun, Mark, PhonemeRun,
                                       SpeechDirections, SsmlDocument, VoiceRun, WordDirection)
from controllers.ssml.sayas import say_as
from controllers.ssml.xml import Element

#: Elements whose content is never spoken.
SILENT = ("desc", "metadata", "lexicon", "meta", "lexiconuri")
#: Elements read for their content only.
TRANSPARENT = ("speak", "lang", "audio", "token", "w")
#: Words that end a sentence.
_SENTENCE_END = re.compile(r"[.!?…]['\")\]]*$")


@dataclass(frozen=True)
class _Style:
    """What is in force at a point of the document."""

    rate: float = 1.0
    pitch: tuple = ()
    volume_db: float = 0.0
    emphasis: str | None = None
    voice: str | None = None
    emotion: int | None = None  # index into the reader's emotion runs


class _Reader:
    def __init__(self) -> None:
        self.text = ""
        self.owner: list[_Style] = []  # the style of each character of self.text
        self.breaks: list[tuple[int, float]] = []  # (offset, seconds)
        self.marks: list[tuple[str, int]] = []
        self.phonemes: list[tuple[int, int, str]] = []
        self.emotions: list[EmotionRun] = []
        self.warnings: list[str] = []

    # -- text --------------------------------------------------------------------------------
    def add(self, piece: str, style: _Style) -> None:
        """Append ``piece`` with whitespace collapsed (one space between words, none first)."""
        for part in re.split(r"(\s+)", piece):
            if not part:
                continue
            if part.isspace():
                if self.text and not self.text.endswith(" "):
                    self.text += " "
                    self.owner.append(style)
                continue
            self.text += part.replace("[", "(").replace("]", ")")  # no inline tags in SSML
            self.owner += [style] * len(part)

    def space(self) -> None:
        if self.text and not self.text.endswith(" "):
            self.text += " "
            self.owner.append(self.owner[-1])

    def end_sentence(self) -> None:
        """Close a ``<s>``/``<p>``: a full stop unless the text ends a sentence already."""
        stripped = self.text.rstrip()
        if stripped and not _SENTENCE_END.search(stripped):
            self.text = stripped + "."
            self.owner = self.owner[:len(stripped)] + [self.owner[len(stripped) - 1]]
        self.space()

    # -- elements ----------------------------------------------------------------------------
    def read(self, element: Element, style: _Style) -> None:
        name = element.name.lower()
        handler = getattr(self, "_" + name.replace("-", "_"), None)
        if name in SILENT:
            return
        if handler is None:
            if name not in TRANSPARENT:
                self.warn(element, f"<{element.name}> is not supported; its text is spoken")
            self.content(element, style)
            return
        handler(element, style)

    def content(self, element: Element, style: _Style) -> None:
        for item in element.content:
            if isinstance(item, str):
                self.add(item, style)
            else:
                self.read(item, style)

    def warn(self, element: Element, message: str) -> None:
        self.warnings.append(f"SSML {element.where}: {message}")

    def _value(self, element: Element, attribute: str, reader):
        try:
            return reader(element.attributes[attribute])
        except ValueError as exc:
            raise InputError(f"SSML {element.where}: <{element.name}> {exc}") from None

    def text_of(self, element: Element) -> str:
        out = []
        for item in element.content:
            out.append(item if isinstance(item, str) else self.text_of(item))
        return "".join(out)

    def _p(self, element: Element, style: _Style) -> None:
        self.end_sentence()
        self.content(element, style)
        self.end_sentence()

    _s = _p
    _paragraph = _p
    _sentence = _p

    def _voice(self, element: Element, style: _Style) -> None:
        name = element.attributes.get("name", "").strip()
        if not name:
            self.warn(element, "<voice> without a name; the voice goes on")
            self.content(element, style)
            return
        from controllers.cast import character_names

        if name.lower() not in character_names():
            raise InputError(f"SSML {element.where}: <voice name={name!r}> is not a character "
                             f"of the cast; built-in characters: {', '.join(character_names())}")
        self.space()
        self.content(element, replace(style, voice=name.lower()))
        self.space()

    def _break(self, element: Element, style: _Style) -> None:
        if "time" in element.attributes:
            seconds = self._value(element, "time", values.parse_time)
        elif "strength" in element.attributes:
            seconds = self._value(element, "strength", values.parse_strength)
        else:
            seconds = values.BREAK_STRENGTHS["medium"]
        self.breaks.append((len(self.text), seconds))
        self.content(element, style)  # (empty in valid SSML)

    def _prosody(self, element: Element, style: _Style) -> None:
        a = element.attributes
        for unknown in sorted(set(a) - {"rate", "pitch", "volume", "contour", "range",
                                        "duration"}):
            self.warn(element, f"<prosody {unknown}> is not supported")
        for ignored in ("contour", "range", "duration"):
            if ignored in a:
                self.warn(element, f"<prosody {ignored}> is not performed")
        rate = self._value(element, "rate", values.parse_rate) if "rate" in a else 1.0
        pitch = (self._value(element, "pitch", values.parse_pitch),) if "pitch" in a else ()
        volume = self._value(element, "volume", values.parse_volume) if "volume" in a else 0.0
        self.content(element, replace(style, rate=style.rate * rate,
                                      pitch=style.pitch + pitch,
                                      volume_db=max(style.volume_db + volume, -60.0)))

    def _emphasis(self, element: Element, style: _Style) -> None:
        level = element.attributes.get("level", "moderate").strip().lower()
        if level not in EMPHASIS_LEVELS:
            raise InputError(f"SSML {element.where}: <emphasis level={level!r}> is not "
                             f"understood; accepted: {', '.join(EMPHASIS_LEVELS)}")
        self.content(element, replace(style, emphasis=level))

    def _say_as(self, element: Element, style: _Style) -> None:
        kind = element.attributes.get("interpret-as", "")
        raw = self.text_of(element)
        spoken = say_as(raw, kind, element.attributes.get("format", ""))
        if spoken is None:
            self.warn(element, f"<say-as interpret-as={kind!r}> cannot read {raw.strip()!r}; "
                               "it is spoken as written")
            spoken = raw
        self.add(spoken, style)

    def _sub(self, element: Element, style: _Style) -> None:
        if "alias" not in element.attributes:
            self.warn(element, "<sub> without an alias; its text is spoken")
            self.content(element, style)
            return
        self.add(element.attributes["alias"], style)

    def _phoneme(self, element: Element, style: _Style) -> None:
        alphabet = element.attributes.get("alphabet", "ipa").strip().lower()
        ph = element.attributes.get("ph", "").strip()
        if alphabet != "ipa" or not ph:
            self.warn(element, f"<phoneme alphabet={alphabet!r}> is not supported (only ipa "
                               "with ph); its text is spoken")
            self.content(element, style)
            return
        start = len(self.text)
        self.content(element, style)
        end = len(self.text.rstrip())
        if end > start:
            if len(self.text[start:end].split()) != len(ph.split()):
                self.warn(element, "<phoneme> needs one IPA word (separated by spaces) per "
                                   "word of its text; its text is read as written")
            else:
                self.phonemes.append((start, end, ph))

    def _mark(self, element: Element, style: _Style) -> None:
        name = element.attributes.get("name", element.attributes.get("mark", ""))
        if not name:
            raise InputError(f"SSML {element.where}: <{element.name}> needs a name")
        self.marks.append((name, len(self.text)))

    _bookmark = _mark

    def _express_as(self, element: Element, style: _Style) -> None:
        a = element.attributes
        new = style
        if "style" in a:
            description = style_description(a["style"])
            if description is None:
                self.warn(element, f"<mstts:express-as style={a['style']!r}> is not a known "
                                   "style; the emotion goes on")
            else:
                degree = (self._value(element, "styledegree", values.parse_degree)
                          if "styledegree" in a else 1.0)
                self.emotions.append(EmotionRun(0, 0, description, degree, a["style"]))
                new = replace(new, emotion=len(self.emotions) - 1)
        if "role" in a and style.voice is None:
            character = role_character(a["role"])
            if character is None:
                self.warn(element, f"<mstts:express-as role={a['role']!r}> is not a known role")
            else:
                new = replace(new, voice=character)
        self.content(element, new)

    def _silence(self, element: Element, style: _Style) -> None:
        self.warn(element, "<mstts:silence> is not performed (use <break>)")

    # -- the document --------------------------------------------------------------------------
    def document(self) -> SsmlDocument:
        text = self.text.rstrip()
        owner = self.owner[:len(text)]
        words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
        if not words:
            raise InputError("SSML: the document has no text to speak")
        after = [0.0] * len(words)
        before = 0.0
        for offset, seconds in self.breaks:
            prior = [i for i, (a, b) in enumerate(words) if a < offset]
            if prior:
                after[prior[-1]] += seconds
            else:
                before += seconds
        directions = []
        for (a, b), pause in zip(words, after):
            s = owner[a]
            directions.append(WordDirection(a, b, s.rate, s.pitch, s.volume_db, s.emphasis,
                                            round(pause, 6)))
        marks = []
        for name, offset in self.marks:
            following = [a for a, _ in words if a >= offset]
            marks.append(Mark(name, following[0] if following else len(text)))
        phonemes = tuple(PhonemeRun(a, min(b, len(text)), ph) for a, b, ph in self.phonemes
                         if a < len(text))
        return SsmlDocument(
            text, SpeechDirections(tuple(directions), before, tuple(marks), phonemes),
            _runs(owner, "emotion", lambda i, a, b: replace(self.emotions[i], start=a, end=b)),
            _runs(owner, "voice", lambda v, a, b: VoiceRun(a, b, v)),
            tuple(self.warnings))


def _runs(owner: list[_Style], attribute: str, make) -> tuple:
    """Maximal stretches of characters with the same non-None ``attribute`` (spaces between
    two stretches of the same value join them)."""
    runs = []
    start, current = 0, None
    for i, s in enumerate(owner + [None]):
        value = getattr(s, attribute) if s is not None else None
        if value != current:
            if current is not None:
                runs.append((current, start, i))
            start, current = i, value
    out = [make(value, a, b) for value, a, b in runs]
    return tuple(out)


def read_document(root: Element) -> SsmlDocument:
    """The document of a parsed ``<speak>`` tree."""
    if root.name.lower() != "speak":
        raise InputError(f"SSML {root.where}: the root element is <{root.name}>; an SSML "
                         "document is one <speak> element")
    reader = _Reader()
    reader.content(root, _Style())
    return reader.document()
