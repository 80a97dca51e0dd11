"""Ren'Py scripts (``.rpy``): say statements, ``define`` names and image attributes.

``define m = Character("Mara", image="mara")`` names the speaker ``m`` stands for (the
definition is read with Python's own parser, never run). A say statement
``m angry "You're late." id dock_01`` is a spoken line: who (a defined name, another name, or a
quoted name; none for narration), image attributes (``angry``: a cue; a ``@ happy`` attribute
holds for that line only, others stay with the speaker, as on screen, until changed), the text,
and an optional ``id``. ``show mara sad`` changes the attributes of the speaker whose ``image``
is ``mara`` (or whose name is). The bodies of ``python``, ``screen``, ``translate``, ``style``,
``transform`` and ``image`` blocks are not read. Text tags (``{i}``, ``{w=0.5}``) are left out; an interpolation
``[name]`` is spoken as its name. Strings may span lines (triple-quoted ones too).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from controllers.dialogue.line import Dialogue, DialogueLine
from controllers.dialogue.source import read_text, speakable
from controllers.errors import InputError

_DEFINE = re.compile(r"^(?:define|default)\s+(?:\d+\s+)?([A-Za-z_]\w*)\s*=\s*(.+)$")
_SHOW = re.compile(r"^show\s+([A-Za-z_]\w*)((?:\s+-?[A-Za-z_]\w*)*)")
_STRING = re.compile(r'"""(?:\\.|[^\\])*?"""|\'\'\'(?:\\.|[^\\])*?\'\'\'|"(?:\\.|[^"\\])*"'
                     r"|'(?:\\.|[^'\\])*'", re.S)
_SAY = re.compile(r"^(?:([A-Za-z_][\w.]*)\s+)?((?:-?[A-Za-z_]\w*\s+)*)(?:@\s*((?:-?[A-Za-z_]\w*\s*)+))?$")
#: Words that start a statement, not a say statement.
_KEYWORDS = {"label", "menu", "jump", "call", "return", "if", "elif", "else", "while", "pass",
             "scene", "show", "hide", "with", "play", "stop", "queue", "voice", "pause",
             "window", "init", "python", "define", "default", "image", "transform", "screen",
             "style", "translate", "nvl", "camera", "$", "extend", "style", "testcase"}
#: Words that end a ``show`` statement's attributes.
_SHOW_CLAUSES = {"at", "with", "as", "behind", "onlayer", "zorder"}
#: Blocks whose strings are code, screen text or translations, not the script's lines.
_BLOCK = re.compile(r"^(?:init\s+(?:-?\d+\s+)?)?(?:python|screen|translate|style|transform|"
                    r"image|layeredimage|testcase)\b.*:$")
_TEXT_TAG = re.compile(r"\{[^{}]*\}")


def _call_name(source: str) -> tuple[str | None, str | None]:
    """``Character("Mara", image="mara")`` -> ``("Mara", "mara")``; anything else
    ``(None, None)``."""
    try:
        node = ast.parse(source.strip(), mode="eval").body
    except SyntaxError:
        return None, None
    if not isinstance(node, ast.Call):
        return None, None
    name = node.args[0] if node.args else None
    if isinstance(name, ast.Call) and name.args:  # _("Mara"), a translated name
        name = name.args[0]
    image = next((k.value for k in node.keywords if k.arg == "image"), None)

    def text(value):
        return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) \
            else None

    return text(name), text(image)


def _unquote(literal: str) -> str:
    try:
        value = ast.literal_eval(literal)
    except (SyntaxError, ValueError):
        value = literal.strip("\"'")
    return value if isinstance(value, str) else str(value)


def _clean(text: str) -> str:
    text = text.replace("{{", "\x01").replace("[[", "\x02")
    text = _TEXT_TAG.sub("", text)
    text = re.sub(r"\[([^\[\]]*)\]", lambda m: m.group(1).split("!")[0].split(".")[-1], text)
    return speakable(text.replace("\x01", "").replace("\x02", ""))


def read(path: Path) -> Dialogue:
    content = read_text(path)
    names: dict[str, str] = {}  # who -> the name on screen
    images: dict[str, str] = {}  # image tag -> who
    attributes: dict[str, tuple[str, ...]] = {}  # who -> attributes on screen
    lines: list[DialogueLine] = []
    rows = content.splitlines()
    n = 0
    while n < len(rows):
        start = n
        raw = rows[n].split("#", 1)[0] if '"' not in rows[n] and "'" not in rows[n] else rows[n]
        text = raw.strip()
        n += 1
        if not text or text.startswith("#"):
            continue
        if _BLOCK.match(text) or text in ("init:", "python:"):
            indent = len(raw) - len(raw.lstrip())
            while n < len(rows) and (not rows[n].strip()
                                     or len(rows[n]) - len(rows[n].lstrip()) > indent):
                n += 1  # the block's body: code, screens, translations
            continue
        m = _DEFINE.match(text)
        if m:
            name, image = _call_name(m.group(2))
            if name is not None or image is not None:
                names[m.group(1)] = name or m.group(1)
                images[image or m.group(1)] = m.group(1)
            continue
        m = _SHOW.match(text)
        if m:
            who = images.get(m.group(1)) or next(
                (w for w, shown in names.items() if shown.lower() == m.group(1).lower()), None)
            if who:
                words = m.group(2).split()
                cut = next((k for k, w in enumerate(words) if w in _SHOW_CLAUSES), len(words))
                attributes[who] = _apply(attributes.get(who, ()), words[:cut])
            continue
        if text.endswith(":") or text.split()[0] in _KEYWORDS or text.startswith(("$", "@")):
            continue
        if '"' not in text and "'" not in text:
            continue
        # a string still open at the end of the line goes on in the next ones
        while _open_quote(text):
            if n >= len(rows):
                raise InputError(f"{path}:{start + 1}: a string opened here is never closed")
            text += "\n" + rows[n]
            n += 1
        line = _say(text, f"{path}:{start + 1}", names, attributes)
        if line is not None:
            lines.append(line)
    return Dialogue(lines, format="renpy")


def _open_quote(text: str) -> bool:
    """True when ``text`` ends inside a string literal."""
    rest = _STRING.sub("", text)
    return bool(re.search(r"[\"']", rest.split("#", 1)[0]))


def _apply(current: tuple[str, ...], change: list[str]) -> tuple[str, ...]:
    """Attributes after ``change`` (``-sad`` removes one; new ones replace the old)."""
    added = [a for a in change if not a.startswith("-")]
    removed = {a[1:] for a in change if a.startswith("-")}
    return tuple(added) if added else tuple(a for a in current if a not in removed)


def _say(text: str, where: str, names: dict[str, str],
         attributes: dict[str, tuple[str, ...]]) -> DialogueLine | None:
    """A say statement -> its line; None for any other statement holding a string."""
    strings = list(_STRING.finditer(text))
    if not strings:
        return None
    head = text[:strings[0].start()].strip()
    if len(strings) >= 2 and not head and not text[strings[0].end():strings[1].start()].strip():
        # "Walter" "Hello there." : a quoted speaker
        speaker, said, tail_at = _unquote(strings[0].group()), strings[1], strings[1].end()
        who, shown = None, ()
    else:
        said, tail_at = strings[0], strings[0].end()
        m = _SAY.match(head + " " if head else "")
        if m is None:
            return None
        who, attrs, temporary = m.group(1), m.group(2).split(), (m.group(3) or "").split()
        speaker = None if who in (None, "narrator", "centered") else names.get(who, who)
        if who is not None and attrs:
            attributes[who] = _apply(attributes.get(who, ()), attrs)
        shown = attributes.get(who, ()) if who is not None else ()
        if temporary:
            shown = _apply(shown, temporary)
    tail = text[tail_at:]
    ident = re.search(r"\bid\s+([A-Za-z0-9_.\-]+)", tail)
    if speaker is None:
        shown = ()
    spoken = _clean(_unquote(said.group()))
    if not spoken:
        return None
    return DialogueLine(spoken, where, speaker=speaker, id=ident.group(1) if ident else None,
                        cues=tuple(a.replace("_", " ") for a in shown))
