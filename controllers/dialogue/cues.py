"""The writer's emotion cues -> a description the natural-language controller reads.

No dialogue format has an emotion field: writers put the emotion in a tag (``#mood:angry``,
``#angry``, ``#tone:sarcastic``), a parenthetical (``(angrily)``), an image attribute (Ren'Py
``m angry "..."``) or a direction column ("frustrated, she has waited an hour"). Each cue is
read by :func:`controllers.parse.parse_description`; the ones it understands make the line's
emotion, the others (``beat``, ``V.O.``, ``to Sam``, ``#lastline``) are not about emotion and
are left alone.
"""

from __future__ import annotations

from functools import lru_cache

from controllers.errors import InputError
from controllers.limits import MAX_DESCRIPTION_CHARS

#: Tag keys whose value is an emotion cue (``#mood:angry``).
EMOTION_KEYS = frozenset({"mood", "emotion", "emo", "tone", "feeling", "style", "direction",
                          "delivery", "expression", "face", "performance"})
#: Tag keys whose value is the line's id (``#line:dock01``).
ID_KEYS = frozenset({"line", "id", "lineid", "line_id"})


def read_tag(tag: str) -> tuple[str, str]:
    """One tag (without its ``#``) -> ``(kind, value)``: ``("id", "dock01")`` for
    ``line:dock01``, ``("cue", "angry")`` for ``mood:angry`` or ``angry``, ``("other", tag)``
    for any other ``key:value`` tag (``audio:dock.wav``) or an empty one."""
    tag = tag.strip()
    key, sep, value = tag.partition(":")
    key = key.strip().lower()
    if sep:
        value = value.strip()
        if key in ID_KEYS and value:
            return "id", value
        if key in EMOTION_KEYS and value:
            return "cue", value.replace("_", " ")
        return "other", tag
    return ("cue", tag.replace("_", " ")) if tag else ("other", tag)


@lru_cache(maxsize=4096)
def understood(cue: str) -> bool:
    """True when the natural-language controller reads ``cue`` as an emotion or a voice."""
    if not cue.strip() or len(cue) > MAX_DESCRIPTION_CHARS:
        return False
    from controllers.parse import parse_description

    try:
        return parse_description(cue).recognized
    except InputError:  # out-of-range numbers and the like: not a usable cue
        return False


def emotion_of(cues) -> tuple[str, tuple[str, ...]]:
    """The line's emotion description from its cues and the cues it was made of:
    ``("angry, whispering", ("angry", "whispering"))``; ``("", ())`` when none is
    understood."""
    used = tuple(dict.fromkeys(c.strip(" ,;") for c in cues if understood(c.strip(" ,;"))))
    description = ", ".join(used)
    while len(description) > MAX_DESCRIPTION_CHARS and len(used) > 1:
        used = used[:-1]
        description = ", ".join(used)
    return description, used


def leading_parenthetical(text: str) -> tuple[tuple[str, ...], str]:
    """A parenthetical at the start of a line of dialogue, as screenwriters and many game
    writers put it (``(grimly) Out!``) -> ``(("grimly",), "Out!")``; else ``((), text)``."""
    import re

    m = re.match(r"^\s*\(([^()]{1,80})\)\s*(?=\S)", text)
    return ((m.group(1).strip(),), text[m.end():]) if m else ((), text)
