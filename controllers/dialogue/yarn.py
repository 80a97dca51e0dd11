"""Yarn Spinner scripts (``.yarn``, Yarn Spinner 2 and 3).

A node is a header (``title: Dock``, ``tags: night tense``, ``mood: tired``; ended by ``---``)
and a body ended by ``===``. In the body every line of dialogue, option (``-> ...``) and line
group item (``=> ...``) is a spoken line: ``Mara: You're late. #mood:angry #line:dock01``; the
text before the first colon is the speaker. ``#line:ID`` is the line's id; other tags are cues
(``#angry``, ``#mood:angry``, ``#tone:sarcastic``), and so is a parenthetical opening the
line (``Mara: (quietly) Go.``); a node's ``tags`` and ``mood``/``tone``
headers are the cues of its lines that have none. Commands (``<<wait 1>>``), comments
(``//``), markup (``[b]...[/b]``, ``[wave/]``) and conditions are left out; an inline
expression ``{$name}`` is spoken as its name. Escapes (``\\#``, ``\\:``, ``\\[``) are kept as
text.
"""

from __future__ import annotations

import re
from pathlib import Path

from controllers.dialogue.cues import leading_parenthetical, read_tag
from controllers.dialogue.line import Dialogue, DialogueLine
from controllers.dialogue.source import read_text, speakable
from controllers.errors import InputError

_COMMAND = re.compile(r"<<.*?>>")
_MARKUP = re.compile(r"\[/?[A-Za-z_][^\[\]]*\]|\[/\]")
_EXPRESSION = re.compile(r"\{([^{}]*)\}")
_HEADER = re.compile(r"^([A-Za-z_][\w.]*)\s*:\s*(.*)$")
#: Header keys whose value is a cue for the node's lines.
_CUE_HEADERS = {"mood", "tone", "emotion", "style"}
_ESCAPES = {"#": "\x01", ":": "\x02", "[": "\x03", "]": "\x04", "{": "\x05", "}": "\x06",
            "/": "\x07", "<": "\x0e", ">": "\x0f", "\\": "\x10"}


def _unescape(text: str) -> str:
    for char, code in _ESCAPES.items():
        text = text.replace(code, "" if char in "[]{}" else char)
    return text


def _comment_start(line: str) -> int:
    """Where a ``//`` comment starts (not in ``://`` of an address), or ``len(line)``."""
    for m in re.finditer(r"//", line):
        if m.start() == 0 or line[m.start() - 1] != ":":
            return m.start()
    return len(line)


def read(path: Path) -> Dialogue:
    lines: list[DialogueLine] = []
    in_header, in_body, node_cues, title = True, False, (), "?"
    for n, raw in enumerate(read_text(path).splitlines(), 1):
        escaped = re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), raw)
        text = escaped[:_comment_start(escaped)].strip()
        where = f"{path}:{n}"
        if in_header:
            if text == "---":
                in_header, in_body = False, True
            elif text:
                m = _HEADER.match(text)
                if not m:
                    raise InputError(f"{where}: a Yarn node header line is 'key: value' (e.g. "
                                     f"'title: Start'), ended by '---'; found {text[:60]!r}")
                key, value = m.group(1).lower(), m.group(2).strip()
                if key == "title":
                    title, node_cues = value, ()
                elif key == "tags":
                    node_cues += tuple(value.split())
                elif key in _CUE_HEADERS and value:
                    node_cues += (value,)
            continue
        if text == "===":
            in_header, in_body, node_cues = True, False, ()
            continue
        if not text or text.startswith("<<") and text.endswith(">>") and "#" not in text:
            continue
        line = _spoken(text, where, node_cues)
        if line is not None:
            lines.append(line)
    if in_body:
        raise InputError(f"{path}: node {title!r} is never closed with '==='")
    return Dialogue(lines, format="yarn")


def _spoken(text: str, where: str, node_cues: tuple[str, ...]) -> DialogueLine | None:
    """One body line -> a spoken line, or None (a command, a jump, nothing to say)."""
    text = re.sub(r"^(->|=>)\s*", "", text)
    text = _COMMAND.sub(" ", text)  # (an option's <<if ...>> condition too)
    body, *tags = text.split("#")
    ident, cues = None, []
    for tag in tags:
        kind, value = read_tag(_unescape(tag))
        if kind == "id":
            ident = value
        elif kind == "cue":
            cues.append(value)
    speaker = None
    name, colon, rest = body.partition(":")
    if (colon and name.strip() and "{" not in name and len(name.strip()) <= 40
            and rest[:1] in ("", " ", "\t")):
        speaker, body = _unescape(name).strip(), rest
    parenthetical, body = leading_parenthetical(body)
    cues = [*parenthetical, *cues]
    body = _MARKUP.sub("", body)
    body = _EXPRESSION.sub(lambda m: m.group(1).replace("$", " "), body)
    spoken = speakable(_unescape(body))
    if not spoken:
        return None
    return DialogueLine(spoken, where, speaker=speaker, id=ident,
                        cues=tuple(cues) or node_cues)

