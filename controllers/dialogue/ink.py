"""Ink source (``.ink``, inkle's narrative scripting language), read without running it.

Every line of content is a spoken line, in file order, the text of choices included (as the
story prints it after the choice: ``* Hello[.] there`` says "Hello there"). ``Mara: You're
late. # angry`` names the speaker (the convention of Ink games) and tags the line (a
parenthetical opening the text, ``(grimly) Out!``, is a cue too): ``#angry``,
``#mood:angry`` are cues, ``#line:ID``/``#id:ID`` its id; a tag on a line of its own belongs
to the next line of content. Left out: comments, ``TODO:``, ``INCLUDE``/``VAR``/``CONST``/
``LIST``, logic (``~``), threads (``<- knot``), knot and stitch headers, functions, diverts (``-> knot``), glue
(``<>``) and branch conditions. Inline logic is read as its first branch: ``{a|b}`` says "a",
``{cond: a|b}`` "a", ``{name}`` "name".
"""

from __future__ import annotations

import re
from pathlib import Path

from controllers.dialogue.cues import leading_parenthetical, read_tag
from controllers.dialogue.line import Dialogue, DialogueLine
from controllers.dialogue.plain_txt import SPEAKER
from controllers.dialogue.source import read_text, speakable
from controllers.errors import InputError

_SKIP = re.compile(r"^(INCLUDE|VAR|CONST|LIST|EXTERNAL|TODO\s*:|~|<-)")
_KNOT = re.compile(r"^={2,}\s*(function\s+)?")
_STITCH = re.compile(r"^=\s*\w+")
_CHOICE = re.compile(r"^(?:[*+]\s*)+")
_GATHER = re.compile(r"^(?:-(?!>)\s*)+")
_LABEL = re.compile(r"^\(\s*\w+\s*\)\s*")
_CONDITION = re.compile(r"^\{[^{}]*\}\s*")
_BRANCH = re.compile(r"^-\s*(else\s*:|[^:{}]*:\s*$)")


def _first_branch(m: re.Match) -> str:
    inner = m.group(1)
    cond, colon, rest = inner.partition(":")
    if colon and "|" not in cond:
        inner = rest
    inner = inner.lstrip("&~!$")
    return inner.split("|")[0]


def _inline(text: str) -> str:
    """Inline logic replaced by its first branch (innermost first)."""
    previous = None
    while previous != text:
        previous, text = text, re.sub(r"\{([^{}]*)\}", _first_branch, text)
    return text


def _split_tags(text: str) -> tuple[str, list[str]]:
    parts = re.split(r"(?<!\\)#", text)
    return parts[0], [t.strip() for t in parts[1:] if t.strip()]


def read(path: Path) -> Dialogue:
    content = read_text(path)
    lines: list[DialogueLine] = []
    pending: list[str] = []
    in_comment = in_function = False
    depth = 0  # open multi-line { } blocks
    for n, raw in enumerate(content.splitlines(), 1):
        text = raw
        if in_comment:
            end = text.find("*/")
            if end < 0:
                continue
            text, in_comment = text[end + 2:], False
        text = re.sub(r"/\*.*?\*/", " ", text)
        if "/*" in text:
            text, in_comment = text[:text.index("/*")], True
        text = re.sub(r"(?<!:)//.*$", "", text).strip()
        if not text or _SKIP.match(text):
            continue
        knot = _KNOT.match(text)
        if knot:
            in_function, pending = bool(knot.group(1)), []
            continue
        if in_function or _STITCH.match(text) and not text.startswith("=="):
            continue
        opened = text.count("{") - text.count("}")
        if opened > 0 and text.rstrip().endswith(":") or text in ("{", "}"):
            depth = max(0, depth + opened)
            continue
        if depth and (_BRANCH.match(text) or text == "}"):
            depth = max(0, depth + opened)
            continue
        depth = max(0, depth + opened)
        body, tags = _split_tags(text)
        choice = _CHOICE.match(body)
        if choice:
            body = body[choice.end():]
            body = _LABEL.sub("", body, count=1)
            while _CONDITION.match(body):
                body = _CONDITION.sub("", body, count=1)
            body = re.sub(r"\[[^\]]*\]", " ", body)  # choice-only text
        else:
            gather = _GATHER.match(body)
            if gather:
                body = _LABEL.sub("", body[gather.end():], count=1)
        body = re.sub(r"->.*$", "", body)  # a divert ends the content
        body = _inline(body).replace("<>", " ").replace("\\#", "#")
        speaker = SPEAKER.match(body.strip())
        parenthetical, said = leading_parenthetical(body.strip()[speaker.end():] if speaker
                                                    else body)
        spoken = speakable(said)
        if not spoken:
            pending += tags  # tags on a line of their own go with the next line
            continue
        ident, cues = None, list(parenthetical)
        for tag in pending + tags:
            kind, value = read_tag(tag)
            if kind == "id":
                ident = value
            elif kind == "cue":
                cues.append(value)
        pending = []
        lines.append(DialogueLine(spoken, f"{path}:{n}", speaker=speaker.group(1) if speaker
                                  else None, id=ident, cues=tuple(cues)))
    if in_comment:
        raise InputError(f"{path}: a /* comment is never closed with */")
    return Dialogue(lines, format="ink")
