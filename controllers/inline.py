"""One line of text with inline emotion tags -> an :class:`EmotionPlan`.

``"[calm] We start slowly. [angry, loud] And then it all goes wrong."``: a tag holds any
description :func:`controllers.parse.parse_description` reads (or ``auto``) and sets the emotion
from there on; a tag of voice words only (``[whisper]``) keeps the emotion before it and changes
the voice. Text before the first tag takes the line's default emotion. A tag whose description
changes emotion (``[calm, then furious]``) spreads its phases over the text it covers.
"""

from __future__ import annotations

import re
from dataclasses import replace

from controllers.errors import InputError
from controllers.limits import MAX_TEXT_CHARS
from controllers.parse import parse_description
from controllers.sequence import spread_offsets
from controllers.target import EmotionPlan, EmotionSegment, EmotionTarget

_TAG = re.compile(r"\[([^\[\]]*)\]")
AUTO = "auto"


def strip_tags(line: str) -> str:
    """The line with tags removed and spaces tidied."""
    return _tidy(_TAG.sub(" ", line))


def _tidy(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _targets(description: str | EmotionTarget | None, chunk: str, previous: EmotionTarget,
             what: str) -> list[EmotionTarget]:
    """The targets a tag (or the line's default, ``what`` says which) gives the text ``chunk``,
    in order; voice-only phases keep ``previous``'s emotion."""
    if description is None:
        return [previous]
    if isinstance(description, EmotionTarget):
        return [description]
    if description.strip().lower() == AUTO:
        from controllers.auto import infer_emotion

        return [infer_emotion(chunk)]
    result = parse_description(description)
    if not result.recognized:
        raise InputError(f"{what} {description!r} is not understood; use emotion words "
                         "('angry', 'a little sad'), voice words ('whisper', 'slow'), numbers "
                         "('valence 0.5, arousal -0.2') or 'auto'")
    return [s.target if s.emotional else _carry(previous, s.target) for s in result.segments]


def _carry(previous: EmotionTarget, new: EmotionTarget) -> EmotionTarget:
    """A voice-only tag: the previous emotion with the new tag's attributes added."""
    if previous.category == "neutral" and previous.intensity == 0.0 and not previous.attributes:
        return new
    return replace(previous, attributes={**previous.attributes, **new.attributes})


def plan_line(line: str, default: str | EmotionTarget | None = None) -> EmotionPlan:
    """The plan of one line: ``default`` (a description, ``"auto"``, a target, or None for
    neutral) until the first tag, then each tag's emotion.

    Raises :class:`InputError` for an unclosed or empty tag, a tag nobody understands, or a line
    with no text.
    """
    if isinstance(line, str) and len(line) > MAX_TEXT_CHARS:
        raise InputError(f"the line is {len(line)} characters long; up to {MAX_TEXT_CHARS} are "
                         "performed at once (split it into several lines)")
    if line.count("[") != line.count("]") or re.search(r"\[[^\]]*\[|\][^\[]*\]", line):
        raise InputError(f"unbalanced [ ] in {line.strip()!r}; tags look like [angry] or [calm, slow]")
    pieces: list[tuple[str | EmotionTarget | None, str]] = []  # (description, text it covers)
    pos, current = 0, (default or None)
    for m in _TAG.finditer(line):
        pieces.append((current, line[pos:m.start()]))
        if not m.group(1).strip():
            raise InputError(f"empty tag [] in {line.strip()!r}; write an emotion inside, e.g. [sad]")
        current, pos = m.group(1), m.end()
    pieces.append((current, line[pos:]))

    text = ""
    starts: list[tuple[int, EmotionTarget]] = []  # (offset in text, target from there on)
    previous = EmotionTarget.neutral()
    for k, (description, raw) in enumerate(pieces):
        what = "emotion tag" if k > 0 else "emotion"
        chunk = _tidy(raw)
        if not chunk:  # a tag right before another tag or the end: checked, carried on
            if isinstance(description, str) and description.strip().lower() != AUTO:
                previous = _targets(description, chunk, previous, what)[-1]
            continue
        targets = _targets(description, chunk, previous, what)
        start = len(text) + (1 if text else 0)
        text = f"{text} {chunk}" if text else chunk
        for offset, target in zip(spread_offsets(chunk, len(targets)), targets):
            if not starts or starts[-1][1] != target:  # same emotion goes on: one segment
                starts.append((start + offset, target))
        previous = targets[-1]
    if not text:
        raise InputError(f"line {line.strip()!r} has no text to speak, only tags")
    bounds = [s for s, _ in starts] + [len(text)]
    return EmotionPlan(text, tuple(EmotionSegment(a, text[a:b], target)
                                   for (a, target), b in zip(starts, bounds[1:])))
