"""Explicit numbers in a description: "valence 0.8, arousal -0.3", "V=0.2, A=-0.2", "intensity 0.4".

Valence, arousal and dominance are accepted in [-1, 1], intensity in [0, 1] (or 0..100 %).
A number outside its range is bad input (:class:`InputError` naming the accepted range).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from controllers.errors import InputError

#: Spoken names of each quantity; one-letter names need "=" or ":" ("V=0.2").
NAMES = {
    "valence": ("valence", "pleasure", "pleasantness"),
    "arousal": ("arousal", "activation"),
    "dominance": ("dominance", "control", "power"),
    "intensity": ("intensity", "strength", "level"),
}
LETTERS = {"v": "valence", "p": "valence", "a": "arousal", "d": "dominance", "i": "intensity"}
RANGES = {"valence": (-1.0, 1.0), "arousal": (-1.0, 1.0), "dominance": (-1.0, 1.0),
          "intensity": (0.0, 1.0)}

_NUMBER = r"([+-]?\s?(?:\d+(?:\.\d*)?|\.\d+))\s*(%?)"
_WORDS = "|".join(n for names in NAMES.values() for n in names)
_NAMED = re.compile(
    rf"\b(?:an?\s+|the\s+)?({_WORDS})\s*(?:=|:|\bof\b|\bis\b|\bat\b|\bto\b)?\s*{_NUMBER}",
    re.IGNORECASE)
_LETTER = re.compile(rf"(?<![a-z])([vpadi])\s*[=:]\s*{_NUMBER}", re.IGNORECASE)
_AT_INTENSITY = re.compile(rf"\bat\s+{_NUMBER}", re.IGNORECASE)


@dataclass(frozen=True)
class NumberCue:
    """One explicit number found in a description."""

    name: str
    """``valence``, ``arousal``, ``dominance`` or ``intensity``."""
    value: float
    """The value in its range (percentages divided by 100)."""
    span: tuple[int, int]
    """Character span in the description."""
    text: str
    """The words as written."""


def _name_of(word: str) -> str:
    word = word.lower()
    if word in LETTERS:
        return LETTERS[word]
    return next(k for k, names in NAMES.items() if word in names)


def _value(name: str, number: str, percent: str, text: str) -> float:
    value = float(number.replace(" ", ""))
    if percent:
        value /= 100.0
    lo, hi = RANGES[name]
    if not lo <= value <= hi:
        raise InputError(f"{name} {number.replace(' ', '')}{percent} in {text!r} is outside the "
                         f"accepted range [{lo:g}, {hi:g}]" + (" (or 0-100%)" if name == "intensity" else ""))
    return value


def find_numbers(description: str) -> list[NumberCue]:
    """Every explicit number in ``description``, in order of appearance.

    Raises :class:`InputError` for a value outside its accepted range.
    """
    cues: list[NumberCue] = []
    taken: list[tuple[int, int]] = []
    for pattern in (_NAMED, _LETTER):
        for m in pattern.finditer(description):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            name = _name_of(m.group(1))
            cues.append(NumberCue(name, _value(name, m.group(2), m.group(3), m.group(0).strip()),
                                  m.span(), m.group(0).strip()))
            taken.append(m.span())
    # "anger at 30%" / "sad at 0.4": a bare number after "at" is an intensity.
    for m in _AT_INTENSITY.finditer(description):
        if not any(s < m.end() and m.start() < e for s, e in taken):
            cues.append(NumberCue("intensity", _value("intensity", m.group(1), m.group(2),
                                                      m.group(0).strip()), m.span(), m.group(0).strip()))
            taken.append(m.span())
    return sorted(cues, key=lambda c: c.span)


def blank_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each span replaced by a comma and spaces (offsets kept)."""
    chars = list(text)
    for s, e in spans:
        chars[s:e] = [","] + [" "] * (e - s - 1)
    return "".join(chars)
