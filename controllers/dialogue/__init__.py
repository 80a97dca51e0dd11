"""Dialogue where writers keep it: one reader per script format, chosen by the file's
extension (or forced by name).

==========  =====================================  =========================================
format      files                                  module
==========  =====================================  =========================================
txt         ``.txt`` (emostudio's own)             :mod:`controllers.dialogue.plain_txt`
csv, tsv    ``.csv``, ``.tsv`` (emostudio's own     :mod:`controllers.dialogue.sheet`
            and VO spreadsheets)
xlsx        ``.xlsx`` (VO spreadsheets)            :mod:`controllers.dialogue.sheet`
yaml        ``.yaml``, ``.yml`` (emostudio's own)  :mod:`controllers.dialogue.plain_yaml`
yarn        ``.yarn`` (Yarn Spinner)               :mod:`controllers.dialogue.yarn`
ink         ``.ink`` (Ink source)                  :mod:`controllers.dialogue.ink`
ink-json    ``.json`` with ``inkVersion``          :mod:`controllers.dialogue.ink_json`
fountain    ``.fountain``, ``.spmd``               :mod:`controllers.dialogue.fountain`
renpy       ``.rpy`` (Ren'Py)                      :mod:`controllers.dialogue.renpy`
articy      ``.json`` with ``Packages``            :mod:`controllers.dialogue.articy`
==========  =====================================  =========================================

A ``.json`` file is an Ink story or an articy export by what it holds. Every reader returns a
:class:`Dialogue` of :class:`DialogueLine` objects; :func:`controllers.script.load_script` turns
them into performed lines.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

from controllers.dialogue.line import Dialogue, DialogueLine
from controllers.dialogue.source import MAX_SCRIPT_BYTES, check_file, read_text
from controllers.errors import InputError

__all__ = ["Dialogue", "DialogueLine", "FORMATS", "SUFFIXES", "MAX_SCRIPT_BYTES", "format_of",
           "read_dialogue"]

#: Format name -> ``"module:function"`` of its reader (under controllers.dialogue).
FORMATS: dict[str, str] = {
    "txt": "plain_txt:read",
    "csv": "sheet:read_csv",
    "tsv": "sheet:read_tsv",
    "xlsx": "sheet:read_xlsx",
    "yaml": "plain_yaml:read",
    "yarn": "yarn:read",
    "ink": "ink:read",
    "ink-json": "ink_json:read",
    "fountain": "fountain:read",
    "renpy": "renpy:read",
    "articy": "articy:read",
}
#: File extension -> format ("json": decided by the content).
SUFFIXES: dict[str, str] = {
    ".txt": "txt", ".csv": "csv", ".tsv": "tsv", ".xlsx": "xlsx", ".yaml": "yaml",
    ".yml": "yaml", ".yarn": "yarn", ".ink": "ink", ".json": "json", ".fountain": "fountain",
    ".spmd": "fountain", ".rpy": "renpy",
}


def format_of(path: Path) -> str:
    """The format of ``path`` by its extension (a ``.json`` by its content); InputError for an
    unknown type, naming those accepted."""
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"script {path} has an unknown type; accepted: "
                         f"{', '.join(SUFFIXES)} (or --format {'|'.join(FORMATS)})")
    if fmt != "json":
        return fmt
    check_file(path)
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply") from None
    if isinstance(data, dict) and "inkVersion" in data:
        return "ink-json"
    if isinstance(data, dict) and "Packages" in data:
        return "articy"
    raise InputError(f"{path}:1: unknown type of JSON script: neither a compiled Ink story "
                     "('inkVersion') nor an articy:draft X export ('Packages'); accepted: "
                     f"{', '.join(SUFFIXES)}")


def read_dialogue(path: str | Path, fmt: str | None = None) -> Dialogue:
    """The lines of the script at ``path``, read by the reader of ``fmt`` (a name of
    :data:`FORMATS`; None: by the file's extension).

    Problems of the whole file (type, existence, size over 4 MiB, encoding, syntax) raise
    :class:`InputError` naming ``FILE:LINE``; a line with a problem of its own comes back with
    :attr:`DialogueLine.problem` set.
    """
    path = Path(path)
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"--format {fmt!r} is not known; accepted: {', '.join(FORMATS)}")
    fmt = fmt or format_of(path)
    check_file(path)
    module, function = FORMATS[fmt].split(":")
    reader = getattr(importlib.import_module(f"controllers.dialogue.{module}"), function)
    try:
        dialogue = reader(path)
    except RecursionError:
        raise InputError(f"{path}: nested too deeply to read as {fmt}") from None
    if not dialogue.lines:
        raise InputError(f"{path}: the script has no lines to speak")
    return dialogue
