"""Paralinguistic captions in the style of the speech-captioning literature.

"speaker has a high pitch and has a normal pitch variation and is loud and has a high equivalent
sound level and has a low jitter and has a low shimmer and emotion is angry", "is almost silent",
"loudness is just about right", "speaks fast". Each level phrase sets one attribute; the emotion
("emotion is angry") is left to the lexicon. Explicit "normal" levels are kept as explicit so that
a loose word elsewhere does not override them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LEVEL = (r"(extremely low|very low|quite low|low|slightly low|normal|medium|moderate|average|"
          r"typical|slightly high|quite high|high|very high|extremely high)")
_LEVEL_OF = {"low": "low", "normal": "normal", "medium": "normal", "moderate": "normal",
             "average": "normal", "typical": "normal", "high": "high"}


def _level(words: str) -> str:
    return _LEVEL_OF[words.split()[-1]]


def _loudness(level: str) -> str:
    return {"low": "quiet", "normal": "normal", "high": "loud"}[level]


def _rate(level: str) -> str:
    return {"low": "slow", "normal": "normal", "high": "fast"}[level]


def _voice_quality(level: str, measure: str) -> str:
    """High jitter or shimmer (cycle-to-cycle irregularity) reads as a creaky voice; a low
    harmonics-to-noise ratio as a breathy one; anything else as modal."""
    if measure in ("jitter", "shimmer"):
        return "creaky" if level == "high" else "modal"
    return "breathy" if level == "low" else "modal"


@dataclass(frozen=True)
class CaptionCue:
    """One attribute set by a caption phrase."""

    attribute: str
    """An attribute name of :data:`controllers.target.ATTRIBUTE_VALUES`."""
    value: str
    span: tuple[int, int]
    text: str
    weak: bool = False
    """Indirect evidence (sound level, jitter, shimmer): only used when nothing direct sets it."""


# (pattern, attribute, value function of the match, weak). Order matters: longer phrases first.
_RULES: list[tuple[re.Pattern[str], str, object, bool]] = [
    (re.compile(rf"\b{_LEVEL} (?:pitch|f0) (?:variation|variability|range|modulation)\b"),
     "pitch_variation", lambda m: _level(m.group(1)), False),
    (re.compile(r"\bpitch (?:variation|variability|range) is " + _LEVEL + r"\b"),
     "pitch_variation", lambda m: _level(m.group(1)), False),
    (re.compile(r"\b(?:speaks|talks|speaking|talking|reads|delivered)(?: very| quite| rather| a bit)? "
                r"(fast|quickly|rapidly|slow|slowly|at a normal pace|at a moderate pace|at a normal speed)\b"),
     "rate", lambda m: {"fast": "fast", "quickly": "fast", "rapidly": "fast", "slow": "slow",
                        "slowly": "slow"}.get(m.group(1), "normal"), False),
    (re.compile(rf"\b{_LEVEL} (?:speaking |speech )?(?:rate|speed|pace|tempo)\b"),
     "rate", lambda m: _rate(_level(m.group(1))), False),
    (re.compile(r"\b(?:speaking |speech )?(?:rate|speed|pace|tempo) is (?:(?:very|quite|rather) )?"
                r"(slow|normal|fast|moderate|average|low|high)\b"),
     "rate", lambda m: {"slow": "slow", "low": "slow", "fast": "fast", "high": "fast"}.get(
         m.group(1), "normal"), False),
    (re.compile(rf"\b{_LEVEL} (?:pitch|f0|pitched voice)\b"),
     "pitch_level", lambda m: _level(m.group(1)), False),
    (re.compile(r"\bpitch is " + _LEVEL + r"\b"),
     "pitch_level", lambda m: _level(m.group(1)), False),
    (re.compile(r"\bis (?:almost|nearly|practically|virtually) (?:silent|inaudible)\b"),
     "loudness", lambda m: "quiet", False),
    (re.compile(r"\b(?:loudness|volume) is (?:just about right|about right|just right|normal|average|"
                r"moderate|fine|ok|okay)\b"),
     "loudness", lambda m: "normal", False),
    (re.compile(r"\b(?:loudness|volume) is (?:(?:very|quite|rather) )?(low|quiet|soft|high|loud)\b"),
     "loudness", lambda m: "quiet" if m.group(1) in ("low", "quiet", "soft") else "loud", False),
    (re.compile(rf"\b{_LEVEL} (?:loudness|volume)\b"),
     "loudness", lambda m: _loudness(_level(m.group(1))), False),
    (re.compile(r"\bis (?:(?:very|quite|rather|a bit|slightly|extremely) )?(loud|quiet|soft|clear and loud)\b"),
     "loudness", lambda m: "loud" if "loud" in m.group(1) else "quiet", False),
    (re.compile(rf"\b{_LEVEL} (?:equivalent )?(?:sound (?:pressure )?level|intensity level)\b"),
     "loudness", lambda m: _loudness(_level(m.group(1))), True),
    (re.compile(rf"\b{_LEVEL} (jitter|shimmer|harmonics to noise ratio|hnr)\b"),
     "voice_quality", lambda m: _voice_quality(_level(m.group(1)), m.group(2)), True),
]


def find_caption_cues(text: str) -> list[CaptionCue]:
    """Attribute phrases in normalised (lower-case, hyphen-free) text, in order of appearance."""
    cues: list[CaptionCue] = []
    taken: list[tuple[int, int]] = []
    for pattern, attribute, value_of, weak in _RULES:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            cues.append(CaptionCue(attribute, value_of(m), m.span(), m.group(0), weak))  # type: ignore[operator]
            taken.append(m.span())
    return sorted(cues, key=lambda c: c.span)


def caption_attributes(cues: list[CaptionCue]) -> dict[str, str]:
    """Attribute values the cues set, explicit ``normal``/``modal`` included; a direct phrase
    beats a weak one, and jitter/shimmer only call a voice creaky when one of them is high."""
    direct = {c.attribute: c.value for c in cues if not c.weak}
    weak: dict[str, str] = {}
    for c in cues:
        if c.weak and not (c.attribute in weak and c.value in ("modal", "normal")):
            weak[c.attribute] = c.value
    return {**weak, **direct}
