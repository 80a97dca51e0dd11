"""Explicit numbers in a description: "valence 0.8, arousal -0.3", "V=0.2, A=-0.2", "intensity 0.4",
and level words for the dimensions: "high arousal, negative valence" (low -0.6, high +0.6).

Valence, arousal and dominance are accepted in [-1, 1], intensity in [0, 1] (or 0..100 %).
A number outside its range, or one that is not finite ("valence NaN", "arousal inf",
"valence 0.5e3"), is bad input (:class:`InputError` naming the accepted range).

:func:`finite_number` and :func:`check_seed` are the one check of every number that enters the
studio from outside (descriptions, scripts, the CLI, the Python API, the UI).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from controllers.errors import InputError

#: Spoken names of each quantity; one-letter names need "=" or ":" ("V=0.2").
NAMES = {
    "valence": ("valence", "pleasure", "pleasantness"),
    "arousal": ("arousal", "activation"),
    "dominance": ("dominance", "control", "power"),
    "intensity": ("intensity", "strength"),
}
LETTERS = {"v": "valence", "p": "valence", "a": "arousal", "d": "dominance", "i": "intensity"}
RANGES = {"valence": (-1.0, 1.0), "arousal": (-1.0, 1.0), "dominance": (-1.0, 1.0),
          "intensity": (0.0, 1.0)}

# A number as written, exponents included, and the words of non-finite values (refused later):
# "valence 0.5e3" must read 500, not 0.5.
_PLAIN_NUMBER = r"([+-]?\s?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*(%?)"
# after a named quantity ("valence NaN", "A=inf") the words of non-finite values count too
_NUMBER = (r"([+-]?\s?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?|nan\b|inf(?:inity)?\b))"
           r"\s*(%?)")
_WORDS = "|".join(n for names in NAMES.values() for n in names)
_NAMED = re.compile(
    rf"\b(?:an?\s+|the\s+)?({_WORDS})\s*(?:=|:|\bof\b|\bis\b|\bat\b|\bto\b)?\s*{_NUMBER}",
    re.IGNORECASE)
_LETTER = re.compile(rf"(?<![a-z])([vpadi])\s*[=:]\s*{_NUMBER}", re.IGNORECASE)
# Only a bare number: not "at 1.5x speed" or "at 2 pm".
_AT_INTENSITY = re.compile(rf"\bat\s+{_PLAIN_NUMBER}(?!\s*(?!and\b|but\b|then\b|with\b)[a-z0-9.])",
                           re.IGNORECASE)

#: "anger 0.7", "sadness: 30%": a category name followed by a number gives its intensity.
_CATEGORY_WORDS = ("neutral|happiness|happy|joy|sadness|sad|anger|angry|fear|afraid|scared|"
                   "disgust|disgusted|surprise|surprised|calm")
_CATEGORY_NUMBER = re.compile(rf"\b(?:{_CATEGORY_WORDS})\s*(?:=|:)?\s*{_PLAIN_NUMBER}"
                              r"(?!\s*(?!and\b|but\b|then\b|with\b)[a-z0-9.])", re.IGNORECASE)

#: Words for a level instead of a number: "high arousal", "valence is negative".
LEVEL_WORDS = {"very low": -0.9, "very negative": -0.9, "low": -0.6, "negative": -0.6,
               "slightly low": -0.3, "slightly negative": -0.3, "neutral": 0.0, "medium": 0.0,
               "moderate": 0.0, "slightly high": 0.3, "slightly positive": 0.3, "high": 0.6,
               "positive": 0.6, "very high": 0.9, "very positive": 0.9}
_LEVEL = "|".join(sorted(LEVEL_WORDS, key=len, reverse=True))
_DIMS = "valence|pleasure|arousal|activation|dominance"
_LEVEL_BEFORE = re.compile(rf"\b({_LEVEL})\s+({_DIMS})\b", re.IGNORECASE)
_LEVEL_AFTER = re.compile(rf"\b({_DIMS})\s*(?:is|=|:)?\s*({_LEVEL})\b", re.IGNORECASE)


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


#: Seeds accepted everywhere (CLI ``--seed``, ``studio.render(seed=)``, the UI): 0 .. 2**32 - 1.
SEED_MAX = 2**32 - 1


def finite_number(name: str, value, lo: float | None = None, hi: float | None = None) -> float:
    """``value`` as a float, checked: finite and (when given) within ``[lo, hi]``.

    Raises :class:`InputError` naming ``name`` for anything else (NaN, infinities, text that is
    not a number, booleans, a value out of range).
    """
    if isinstance(value, bool):
        raise InputError(f"{name} {value!r} is not a number")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"{name} {value!r} is not a number") from None
    if not math.isfinite(number):
        raise InputError(f"{name} {value!r} is not a finite number"
                         + (f"; give a value in [{lo:g}, {hi:g}]" if lo is not None else ""))
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        raise InputError(f"{name} {value!r} is outside the accepted range "
                         f"[{'-inf' if lo is None else f'{lo:g}'}, "
                         f"{'inf' if hi is None else f'{hi:g}'}]")
    return number


def check_seed(value, name: str = "seed") -> int:
    """``value`` as a seed: an integer in ``[0, SEED_MAX]`` (a float only when whole).

    Raises :class:`InputError` for negative seeds, seeds beyond 32 bits, non-integers, NaN.
    """
    if isinstance(value, bool):
        raise InputError(f"{name} {value!r} is not an integer")
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            raise InputError(f"{name} {value!r} is not a whole number; give an integer in "
                             f"[0, {SEED_MAX}]")
        value = int(value)
    try:
        seed = int(value) if not isinstance(value, str) else int(value.strip())
    except (TypeError, ValueError):
        raise InputError(f"{name} {value!r} is not an integer; give one in [0, {SEED_MAX}]") \
            from None
    if not 0 <= seed <= SEED_MAX:
        shown = str(seed) if len(str(seed)) <= 24 else f"{str(seed)[:12]}... ({len(str(seed))} digits)"
        raise InputError(f"{name} {shown} is outside the accepted range [0, {SEED_MAX}]")
    return seed


def _value(name: str, number: str, percent: str, text: str) -> float:
    written = number.replace(" ", "")
    value = float(written)
    if not math.isfinite(value):
        lo, hi = RANGES[name]
        raise InputError(f"{name} {written}{percent} in {text!r} is not a finite number; give a "
                         f"value in [{lo:g}, {hi:g}]")
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
    # "high arousal", "valence is negative": a level word stands for a value.
    for pattern, dim_group, level_group in ((_LEVEL_BEFORE, 2, 1), (_LEVEL_AFTER, 1, 2)):
        for m in pattern.finditer(description):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            name = _name_of(m.group(dim_group))
            cues.append(NumberCue(name, LEVEL_WORDS[m.group(level_group).lower()], m.span(),
                                  m.group(0).strip()))
            taken.append(m.span())
    # "anger at 30%" / "sad at 0.4" / "anger 0.7": a bare number after "at" or a category
    # name is an intensity (the category word itself stays for the lexicon).
    for pattern in (_AT_INTENSITY, _CATEGORY_NUMBER):
        for m in pattern.finditer(description):
            span = (m.start(1), m.end())
            if any(s < span[1] and span[0] < e for s, e in taken):
                continue
            cues.append(NumberCue("intensity", _value("intensity", m.group(1), m.group(2),
                                                      m.group(0).strip()), span, m.group(0).strip()))
            taken.append(span)
    return sorted(cues, key=lambda c: c.span)


def blank_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each span replaced by a comma and spaces (offsets kept)."""
    chars = list(text)
    for s, e in spans:
        chars[s:e] = [","] + [" "] * (e - s - 1)
    return "".join(chars)
