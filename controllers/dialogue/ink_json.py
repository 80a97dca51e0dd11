"""Compiled Ink stories (``.json`` with ``inkVersion``, what inklecate and inky export).

The story is read as a VO script, without playing it: every piece of text in the story's
containers, in order, each ``\\n`` ending a line, so every branch's lines are there. A choice
says what the story prints once it is chosen: its start text (the ``s`` container, reached by
a divert) and its continuation; choice-only text (``[...]`` in the source, evaluated as a
string) is left out. Tags (``#`` ... ``/#`` in ink 21, ``{"#": ...}`` before) and the
``Name: text`` speaker convention are read as in :mod:`controllers.dialogue.ink`. A line's
place is the line of the file that holds its first text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from controllers.dialogue.cues import leading_parenthetical, read_tag
from controllers.dialogue.line import Dialogue, DialogueLine
from controllers.dialogue.plain_txt import SPEAKER
from controllers.dialogue.source import read_json, speakable
from controllers.errors import InputError

#: Deepest container nesting followed (a story is a few levels deep).
MAX_DEPTH = 200


def is_ink(data) -> bool:
    """True for a parsed compiled Ink story."""
    return isinstance(data, dict) and "inkVersion" in data and "root" in data


class _Reader:
    def __init__(self, path: Path, content: str, root: list) -> None:
        self.path, self.content, self.root = path, content, root
        self.parents: dict[int, list] = {}
        self.lines: list[DialogueLine] = []
        self.text: list[str] = []
        self.tags: list[str] = []
        self.tag: list[str] | None = None
        self.in_str = 0
        self.cursor = 0
        self.first = None  # the first text element of the line being read

    # -- containers -----------------------------------------------------------------------
    @staticmethod
    def _parts(container: list) -> tuple[list, dict]:
        meta = container[-1] if container and isinstance(container[-1], dict) else {}
        content = container[:-1] if container and (container[-1] is None or meta) else container
        return content, meta

    def _resolve(self, path: str, here: list) -> list | None:
        """The container a divert path names (``dock.0.s`` from the root, ``.^.s`` from
        ``here``), or None."""
        parts = [p for p in path.split(".") if p]
        node = self.root
        if path.startswith("."):  # relative to the object: its first ^ is ``here``
            node, parts = here, parts[1:] if parts[:1] == ["^"] else parts
        for part in parts:
            if not isinstance(node, list):
                return None
            content, meta = self._parts(node)
            if part == "^":
                node = self.parents.get(id(node))
            elif part.isdigit():
                node = content[int(part)] if int(part) < len(content) else None
            elif part in meta:
                node = meta[part]
            else:
                node = next((c for c in content if isinstance(c, list) and c
                             and isinstance(c[-1], dict) and c[-1].get("#n") == part), None)
        return node if isinstance(node, list) else None

    def _index(self, container: list, depth: int = 0) -> None:
        if depth > MAX_DEPTH:
            raise InputError(f"{self.path}: the story's containers nest more than {MAX_DEPTH} deep")
        content, meta = self._parts(container)
        for child in [*content, *meta.values()]:
            if isinstance(child, list):
                self.parents[id(child)] = container
                self._index(child, depth + 1)

    # -- reading ---------------------------------------------------------------------------
    def read(self) -> list[DialogueLine]:
        self._index(self.root)
        self._walk(self.root, 0)
        self._flush()
        return self.lines

    def _walk(self, container: list, depth: int) -> None:
        content, meta = self._parts(container)
        branched = False  # a run of conditional branches: the first is read, as in the source
        for item in content:
            branch = self._branch(item)
            if branch is not None:
                if not branched and depth < MAX_DEPTH:
                    self._walk(branch, depth + 1)
                branched = True
                continue
            branched = False
            if isinstance(item, str):
                self._token(item)
            elif isinstance(item, list):
                self._walk(item, depth + 1)
            elif isinstance(item, dict):
                if "#" in item and isinstance(item["#"], str):  # a tag before ink 21
                    self.tags.append(item["#"])
                divert = item.get("->")
                if isinstance(divert, str) and not item.get("var") and \
                        divert.rsplit(".", 1)[-1] == "s":  # a choice's start text
                    target = self._resolve(divert, container)
                    if target is not None and depth < MAX_DEPTH:
                        self._walk(target, depth + 1)
        for name, child in meta.items():
            if not isinstance(child, list) or name in ("s", "b") or name.startswith("#"):
                continue  # (a choice's start and a condition's branch: read where used)
            if re.fullmatch(r"s\d+", name):  # a sequence's element: the first only
                if name == "s0":
                    self._walk(child, depth + 1)
                continue
            self._flush()  # a knot, stitch, choice or gather starts a new line
            self._walk(child, depth + 1)

    def _branch(self, item) -> list | None:
        """The branch of a conditional's container (``[{"->": ".^.b"...}, {"b": [...]}]``),
        or None for anything else."""
        if not (isinstance(item, list) and item and isinstance(item[0], dict)
                and item[0].get("->") == ".^.b"):
            return None
        _, meta = self._parts(item)
        branch = meta.get("b")
        return branch if isinstance(branch, list) else None

    def _token(self, item: str) -> None:
        if item.startswith("^"):
            if self.tag is not None:
                self.tag.append(item[1:])
            elif not self.in_str:
                if self.first is None and item[1:].strip():
                    self.first = item
                self.text.append(item[1:])
        elif item == "\n":
            self._flush()
        elif item == "#":
            self.tag = []
        elif item == "/#" and self.tag is not None:
            self.tags.append("".join(self.tag))
            self.tag = None
        elif item == "str":
            self.in_str += 1
        elif item == "/str":
            self.in_str = max(0, self.in_str - 1)
        elif item in ("done", "end"):
            self._flush()

    def _where(self) -> str:
        line = 1
        if self.first is not None:
            needle = json.dumps(self.first, ensure_ascii=False)[:-1]
            pos = self.content.find(needle, self.cursor)
            if pos < 0:
                pos = self.content.find(needle)
            if pos >= 0:
                self.cursor = pos + 1
                line = self.content.count("\n", 0, pos) + 1
        return f"{self.path}:{line}"

    def _flush(self) -> None:
        body = "".join(self.text).strip()
        if body:
            speaker = SPEAKER.match(body)
            parenthetical, said = leading_parenthetical(body[speaker.end():] if speaker
                                                        else body)
            spoken = speakable(said)
            ident, cues = None, list(parenthetical)
            for tag in self.tags:
                kind, value = read_tag(tag)
                if kind == "id":
                    ident = value
                elif kind == "cue":
                    cues.append(value)
            if spoken:
                self.lines.append(DialogueLine(spoken, self._where(),
                                               speaker=speaker.group(1) if speaker else None,
                                               id=ident, cues=tuple(cues)))
            self.tags = []
        self.text, self.first = [], None


def read_data(path: Path, content: str, data: dict) -> Dialogue:
    """A story already parsed from ``content``."""
    root = data.get("root")
    if not isinstance(root, list):
        raise InputError(f"{path}:1: a compiled Ink story's 'root' must be a container (a list)")
    return Dialogue(_Reader(path, content, root).read(), format="ink-json")


def read(path: Path) -> Dialogue:
    content, data = read_json(path)
    if not is_ink(data):
        raise InputError(f"{path}:1: not a compiled Ink story (no 'inkVersion' and 'root')")
    return read_data(path, content, data)
