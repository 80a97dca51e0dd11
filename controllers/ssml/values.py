"""Attribute values of SSML 1.1 (and Azure's extensions) -> numbers.

Each reader raises ValueError with what is accepted; the parser adds where it was.

========================  ===============================================================
``<prosody rate>``         ``x-slow`` 0.5, ``slow`` 0.64, ``medium``/``default`` 1, ``fast``
                           1.55, ``x-fast`` 2 (Azure's factors; SSML leaves them to the
                           processor); ``80%`` (SSML 1.1: a percentage of the normal rate);
                           ``+10%``/``-20%`` (a relative change, Azure); ``1.2`` (a factor).
``<prosody pitch>``        ``x-low`` 0.55, ``low`` 0.8, ``medium``/``default`` 1, ``high``
                           1.2, ``x-high`` 1.45 (Azure's factors on the voice's pitch);
                           ``+3st``/``-2st`` (semitones), ``+20Hz``/``-10Hz`` (relative),
                           ``180Hz`` (absolute), ``+10%``/``-5%`` (relative).
``<prosody volume>``       ``silent`` (-60 dB), ``x-soft`` -12 dB, ``soft`` -6 dB,
                           ``medium``/``default`` 0, ``loud`` +6 dB, ``x-loud`` +12 dB;
                           ``+6dB``/``-3dB`` (SSML 1.1); ``+10%``/``-50%`` (relative
                           amplitude); ``0``..``100`` (Azure's absolute scale, 100 = the
                           voice's own level).
``<break strength>``       ``none`` 0, ``x-weak`` 0.25 s, ``weak`` 0.5 s, ``medium`` 0.75 s,
                           ``strong`` 1 s, ``x-strong`` 1.25 s (Azure's values).
``<break time>``           ``700ms``, ``1.5s`` (at most :data:`MAX_BREAK_S`).
========================  ===============================================================
"""

from __future__ import annotations

import math
import re

from controllers.ssml.document import PitchChange

RATE_KEYWORDS = {"x-slow": 0.5, "slow": 0.64, "medium": 1.0, "default": 1.0, "fast": 1.55,
                 "x-fast": 2.0}
PITCH_KEYWORDS = {"x-low": 0.55, "low": 0.8, "medium": 1.0, "default": 1.0, "high": 1.2,
                  "x-high": 1.45}
VOLUME_KEYWORDS = {"silent": -60.0, "x-soft": -12.0, "soft": -6.0, "medium": 0.0,
                   "default": 0.0, "loud": 6.0, "x-loud": 12.0}
BREAK_STRENGTHS = {"none": 0.0, "x-weak": 0.25, "weak": 0.5, "medium": 0.75, "strong": 1.0,
                   "x-strong": 1.25}
#: Rate factors accepted (a quarter to four times the normal rate).
RATE_LIMITS = (0.25, 4.0)
#: Largest pitch change accepted, semitones either way.
MAX_PITCH_ST = 24.0
#: Loudest change accepted, dB (softer goes down to silent).
MAX_VOLUME_DB = 20.0
#: Longest break, seconds.
MAX_BREAK_S = 20.0

_NUMBER = r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+"


def _fmt(name: str, value: str, accepted: str) -> ValueError:
    return ValueError(f"{name}={value!r} is not understood; accepted: {accepted}")


def parse_rate(value: str) -> float:
    """A ``rate`` -> factor on the speaking rate."""
    text = value.strip().lower()
    accepted = "x-slow, slow, medium, fast, x-fast, a percentage (80%), +10%/-20%, or a factor"
    if text in RATE_KEYWORDS:
        return RATE_KEYWORDS[text]
    m = re.fullmatch(rf"([+-]?)({_NUMBER})(%?)", text)
    if not m:
        raise _fmt("rate", value, accepted)
    sign, number, percent = m.group(1), float(m.group(2)), m.group(3)
    if percent and sign:
        factor = 1.0 + (number if sign == "+" else -number) / 100.0
    elif percent:
        factor = number / 100.0
    elif sign:
        raise _fmt("rate", value, accepted)
    else:
        factor = number
    lo, hi = RATE_LIMITS
    if not lo <= factor <= hi:
        raise ValueError(f"rate={value!r} is a factor of {factor:g}; accepted: {lo:g} to {hi:g} "
                         "times the normal rate")
    return factor


def parse_pitch(value: str) -> PitchChange:
    """A ``pitch`` -> one :class:`PitchChange`."""
    text = value.strip().lower()
    accepted = "x-low, low, medium, high, x-high, +3st, -2st, +20Hz, 180Hz, +10%"
    if text in PITCH_KEYWORDS:
        return PitchChange("st", 12.0 * math.log2(PITCH_KEYWORDS[text]))
    m = re.fullmatch(rf"([+-]?)({_NUMBER})(st|hz|%)", text)
    if not m:
        raise _fmt("pitch", value, accepted)
    sign, number, unit = m.group(1), float(m.group(2)), m.group(3)
    signed = -number if sign == "-" else number
    if unit == "st":
        change = PitchChange("st", signed)
    elif unit == "%":
        if not sign:
            raise _fmt("pitch", value, accepted + " (a percentage needs its sign)")
        if signed <= -100.0:
            raise ValueError(f"pitch={value!r} would leave no pitch; accepted: above -100%")
        change = PitchChange("st", 12.0 * math.log2(1.0 + signed / 100.0))
    elif sign:
        change = PitchChange("hz", signed)
    else:
        if not 40.0 <= number <= 1000.0:
            raise ValueError(f"pitch={value!r} is outside the accepted 40Hz to 1000Hz")
        change = PitchChange("abs_hz", number)
    if change.kind == "st" and abs(change.value) > MAX_PITCH_ST:
        raise ValueError(f"pitch={value!r} is more than {MAX_PITCH_ST:g} semitones away")
    if change.kind == "hz" and abs(change.value) > 500.0:
        raise ValueError(f"pitch={value!r} changes the pitch by more than 500Hz")
    return change


def parse_volume(value: str) -> float:
    """A ``volume`` -> change in dB."""
    text = value.strip().lower()
    accepted = "silent, x-soft, soft, medium, loud, x-loud, +6dB, -3dB, +10%, or 0 to 100"
    if text in VOLUME_KEYWORDS:
        return VOLUME_KEYWORDS[text]
    m = re.fullmatch(rf"([+-]?)({_NUMBER})(db|%)?", text)
    if not m:
        raise _fmt("volume", value, accepted)
    sign, number, unit = m.group(1), float(m.group(2)), m.group(3)
    signed = -number if sign == "-" else number
    if unit == "db":
        db = signed
    elif unit == "%":
        if not sign:
            raise _fmt("volume", value, accepted + " (a percentage needs its sign)")
        db = -60.0 if signed <= -100.0 else 20.0 * math.log10(1.0 + signed / 100.0)
    else:
        if sign or number > 100.0:
            raise _fmt("volume", value, accepted)
        db = -60.0 if number == 0 else 20.0 * math.log10(number / 100.0)
    if db > MAX_VOLUME_DB:
        raise ValueError(f"volume={value!r} is louder than +{MAX_VOLUME_DB:g}dB")
    return max(db, -60.0)


def parse_time(value: str) -> float:
    """A ``<break time>`` (``700ms``, ``1.5s``) -> seconds."""
    text = value.strip().lower()
    m = re.fullmatch(rf"({_NUMBER})(ms|s)", text)
    if not m:
        raise _fmt("time", value, "a duration such as 700ms or 1.5s")
    seconds = float(m.group(1)) / (1000.0 if m.group(2) == "ms" else 1.0)
    if seconds > MAX_BREAK_S:
        raise ValueError(f"time={value!r} is longer than the longest break, {MAX_BREAK_S:g}s")
    return seconds


def parse_strength(value: str) -> float:
    """A ``<break strength>`` -> seconds."""
    text = value.strip().lower()
    if text not in BREAK_STRENGTHS:
        raise _fmt("strength", value, ", ".join(BREAK_STRENGTHS))
    return BREAK_STRENGTHS[text]


def parse_degree(value: str) -> float:
    """Azure's ``styledegree`` (0.01 to 2) -> factor on the emotion's intensity."""
    try:
        degree = float(value)
    except ValueError:
        raise _fmt("styledegree", value, "a number from 0.01 to 2") from None
    if not 0.01 <= degree <= 2.0:
        raise ValueError(f"styledegree={value!r} is outside the accepted 0.01 to 2")
    return degree
