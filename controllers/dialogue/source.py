"""Reading a script file: size, encoding and existence checked once for every reader."""

from __future__ import annotations

import re
import reprlib
from pathlib import Path

from controllers.errors import InputError

#: Largest script file read, in bytes (a script of thousands of lines is far smaller).
MAX_SCRIPT_BYTES = 4 * 2**20


def check_file(path: Path) -> None:
    """InputError unless ``path`` is an existing file of at most :data:`MAX_SCRIPT_BYTES`."""
    if not path.is_file():
        raise InputError(f"script {path} does not exist")
    size = path.stat().st_size
    if size > MAX_SCRIPT_BYTES:
        raise InputError(f"{path}: the script is {size / 2**20:.1f} MiB; scripts up to "
                         f"{MAX_SCRIPT_BYTES // 2**20} MiB are read (split it into several)")


def read_text(path: Path) -> str:
    """The file as text (UTF-8, a byte-order mark dropped); InputError names a bad byte."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def read_json(path: Path):
    """``(text, data)`` of a JSON file; InputError names the line of a syntax error."""
    import json

    content = read_text(path)
    try:
        return content, json.loads(content)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply") from None


def short(value) -> str:
    """``repr(value)``, shortened for a one-line message."""
    shortener = reprlib.Repr()
    shortener.maxstring = shortener.maxother = 60
    return shortener.repr(value)


def tidy(text: str) -> str:
    """Whitespace runs made one space, ends stripped."""
    return re.sub(r"\s+", " ", text).strip()


def speakable(text: str) -> str:
    """Text of a writer's format made safe for the studio's line reader: square brackets
    (markup the reader has already removed, or literal ones) would read as emotion tags, so
    they go; spaces are tidied."""
    return tidy(text.replace("[", " ").replace("]", " "))
