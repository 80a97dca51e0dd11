"""Emotion changes over time: splitting a description into phases, and a line into segments.

"joyful at first, then sad", "starts calm and ends furious", "angry, then calm, and finally
happy", "going from calm to furious" are read as phases in order. A plan for a line of text with
no inline tags spreads the phases over the line's words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Words that open a new phase ("then", "ends", "becoming", ...), with an optional "and"/comma.
_BREAK = re.compile(
    r"\s*(?:->|=>|\u2192|\u27f6)\s*|"  # arrows: "sad -> happy"
    r"(?:^|,\s*|\s+)(?:and\s+|but\s+)?(?:(?:slowly|gradually|quickly|suddenly)\s+)?"
    r"(?:then|afterwards|after that|later on|later|finally|eventually|in the end|by the end|"
    r"at the end|toward the end|towards the end|ending up|ends up|ending|ends|end|"
    r"before becoming|before turning|becoming|becomes|turning into|turns into|turning|turns|"
    r"shifting (?:to|into)|shifts (?:to|into)|changing (?:to|into)|changes (?:to|into)|"
    r"switching to|switches to|moving to|moves to|building to|builds to|until)\b",
    re.IGNORECASE)
#: Words that only mark the first phase ("at first", "starts"): removed.
_START = re.compile(
    r"\b(?:at first|initially|to begin with|in the beginning|at the beginning|at the start|"
    r"starting out|starts out|starts off|starting off|starts|starting|start|begins|beginning|begin|"
    r"opens|opening)\b",
    re.IGNORECASE)
#: "calm at the start, angrier by the end": an end marker after its phase becomes "then" before it.
_TRAILING_END = re.compile(
    r"(,|\band\b|\bbut\b)\s*((?:(?!,|\band\b|\bbut\b).)+?)\s+"
    r"(?:by|at|in|toward|towards|near) the end\b", re.IGNORECASE)
_FROM_TO = re.compile(r"\bfrom\s+((?:\S+\s+){0,4}?\S+)\s+to\s+((?:\S+\s*){1,6})$", re.IGNORECASE)


@dataclass(frozen=True)
class Phase:
    """One stretch of a description in time order."""

    text: str
    """The phase's words (markers removed)."""
    start: int
    """Character offset of the phase in the description (after "X by the end" is rewritten as
    "then X")."""


def split_phases(description: str) -> list[Phase]:
    """The description's phases in order; one phase when it names no change."""
    description = _TRAILING_END.sub(r", then \2", description)
    m = _FROM_TO.search(description)
    if m:
        head = description[: m.start()]
        parts = [(head, 0)] if head.strip() else []
        parts += [(m.group(1), m.start(1)), (m.group(2), m.start(2))]
    else:
        parts, last = [], 0
        for b in _BREAK.finditer(description):
            parts.append((description[last:b.start()], last))
            last = b.end()
        parts.append((description[last:], last))
    phases = []
    for text, start in parts:
        cleaned = _START.sub(" ", text)
        if cleaned.strip(" ,.;:!?"):
            phases.append(Phase(cleaned, start))
    return phases or [Phase(description, 0)]


def spread_offsets(text: str, count: int) -> list[int]:
    """Start offsets that cut ``text`` into ``count`` stretches of similar length at word starts.

    The first offset is 0; fewer offsets come back when the text has fewer words than ``count``.
    """
    word_starts = [m.start() for m in re.finditer(r"\S+", text)] or [0]
    count = max(1, min(count, len(word_starts)))
    offsets = [0]
    for k in range(1, count):
        ideal = len(text) * k / count
        best = min((s for s in word_starts if s > offsets[-1]), key=lambda s: abs(s - ideal),
                   default=None)
        if best is None:
            break
        offsets.append(best)
    return offsets
