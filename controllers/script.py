"""Scripts: many takes in one file, each with a stable id and an emotion plan.

Three formats (chosen by the file's suffix):

``.txt``: one take per line. Inline ``[tags]`` change the emotion from there on; a tag at the
start of a line is that line's emotion (text before any tag is neutral, or ``auto`` with
``load_script(..., auto=True)``). ``@my-id`` as the first word gives the line an id; otherwise
the id is ``line-NNN``, NNN being the line's number in the file. Blank lines and lines starting
with ``#`` are skipped; ``# default: calm`` sets the default emotion of the lines after it.

``.csv``: a header with ``id`` and ``text`` columns and optionally ``emotion`` (a description,
numbers or ``auto``; empty = neutral). ``.yaml``/``.yml``: a list of mappings with ``text`` and
optionally ``id`` and ``emotion`` (a description, or a mapping ``{valence, arousal[, dominance]}``
or ``{category, intensity}``). Missing ids become ``line-NNN`` (the entry's position).

Every problem is an :class:`InputError` naming the file and line.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from controllers.errors import InputError
from controllers.inline import AUTO, plan_line
from controllers.target import EmotionPlan, EmotionTarget

SUFFIXES = (".txt", ".csv", ".yaml", ".yml")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
_TXT_ID = re.compile(r"^@(\S+)\s+")
_DEFAULT = re.compile(r"^#\s*default\s*:\s*(.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class ScriptLine:
    """One take of a script."""

    id: str
    """Stable identifier: explicit, or ``line-NNN`` from the line number / entry position."""
    text: str
    """The text as written (inline tags included)."""
    plan: EmotionPlan
    """What to perform: ``plan.text`` is the text without tags."""
    source: str
    """Where it came from, ``FILE:LINE``."""
    emotion: str = ""
    """The line's default emotion as written ("" when none)."""


def _line_id(n: int) -> str:
    return f"line-{n:03d}"


def _check_id(ident: str, where: str, seen: dict[str, str]) -> str:
    if not _ID.match(ident):
        raise InputError(f"{where}: id {ident!r} is not accepted; use letters, digits, '-', '_' "
                         "or '.', up to 64 characters")
    if ident in seen:
        raise InputError(f"{where}: id {ident!r} is used twice (first at {seen[ident]})")
    seen[ident] = where
    return ident


def _emotion_text(value, where: str) -> str | EmotionTarget:
    """A CSV/YAML emotion cell: a description string, or a mapping of numbers."""
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        raise InputError(f"{where}: emotion {value!r} is a bare number; write a description or "
                         "{valence: .., arousal: ..}")
    if isinstance(value, dict):
        try:
            if "category" in value:
                return EmotionTarget.from_category(str(value["category"]),
                                                   float(value.get("intensity", 1.0)))
            return EmotionTarget.from_vad(float(value["valence"]), float(value["arousal"]),
                                          float(value.get("dominance", 0.0)))
        except (KeyError, TypeError, ValueError):
            raise InputError(f"{where}: emotion mapping {value!r} needs valence and arousal, or "
                             "a category (and intensity)") from None
        except InputError as exc:
            raise InputError(f"{where}: {exc}") from None
    return str(value).strip()


def _make(ident: str, text: str, emotion, where: str, auto: bool) -> ScriptLine:
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"{where}: the text is empty")
    default = emotion if (emotion or not auto) else AUTO
    try:
        plan = plan_line(text, default or None)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None
    shown = emotion if isinstance(emotion, str) else repr(emotion)
    return ScriptLine(ident, text.strip(), plan, where, shown)


def _read_txt(path: Path, content: str, auto: bool) -> list[ScriptLine]:
    lines, seen = [], {}
    default: str = ""
    for n, raw in enumerate(content.splitlines(), 1):
        where = f"{path}:{n}"
        stripped = raw.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            m = _DEFAULT.match(stripped)
            if m:
                default = m.group(1).strip()
            continue
        m = _TXT_ID.match(stripped)
        ident = _check_id(m.group(1) if m else _line_id(n), where, seen)
        text = stripped[m.end():] if m else stripped
        lines.append(_make(ident, text, default, where, auto))
    return lines


def _read_csv(path: Path, content: str, auto: bool) -> list[ScriptLine]:
    reader = csv.DictReader(io.StringIO(content))
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    if "text" not in fields or "id" not in fields:
        raise InputError(f"{path}:1: a script CSV needs a header with id,text[,emotion] columns; "
                         f"found {','.join(fields) or 'nothing'}")
    reader.fieldnames = fields
    lines, seen = [], {}
    for k, row in enumerate(reader, 1):
        where = f"{path}:{reader.line_num}"
        if None in row:
            raise InputError(f"{where}: more cells than the header's {len(fields)} columns "
                             "(quote text that contains commas)")
        ident = (row.get("id") or "").strip() or _line_id(k)
        lines.append(_make(_check_id(ident, where, seen), row.get("text") or "",
                           _emotion_text(row.get("emotion"), where), where, auto))
    return lines


class _LineLoader:
    """A YAML safe loader that remembers the line of each mapping."""

    @staticmethod
    def load(content: str, path: Path):
        import yaml

        class Loader(yaml.SafeLoader):
            pass

        def construct_mapping(loader, node, deep=False):
            mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=deep)
            mapping["__line__"] = node.start_mark.line + 1
            return mapping

        Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
        try:
            return yaml.load(content, Loader=Loader)  # noqa: S506 - a SafeLoader subclass
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f":{mark.line + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise InputError(f"{path}{line}: not valid YAML ({problem})") from None


def _read_yaml(path: Path, content: str, auto: bool) -> list[ScriptLine]:
    data = _LineLoader.load(content, path)
    if not isinstance(data, list):
        raise InputError(f"{path}:1: a YAML script is a list of {{id, text, emotion}} entries")
    lines, seen = [], {}
    for k, item in enumerate(data, 1):
        if not isinstance(item, dict):
            raise InputError(f"{path}: entry {k} is not a mapping with id, text, emotion")
        where = f"{path}:{item.pop('__line__', '?')}"
        unknown = set(item) - {"id", "text", "emotion"}
        if unknown:
            raise InputError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
                             "accepted: id, text, emotion")
        ident = str(item.get("id") or _line_id(k)).strip()
        if isinstance(item.get("emotion"), dict):
            item["emotion"].pop("__line__", None)
        lines.append(_make(_check_id(ident, where, seen), item.get("text") or "",
                           _emotion_text(item.get("emotion"), where), where, auto))
    return lines


def load_script(path: str | Path, auto: bool = False) -> list[ScriptLine]:
    """Read a script (.txt, .csv, .yaml/.yml) into its takes, in file order.

    ``auto``: lines without an emotion take the one their own words suggest
    (:func:`controllers.auto.infer_emotion`) instead of neutral.
    """
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise InputError(f"script {path} has an unknown type; accepted: {', '.join(SUFFIXES)}")
    if not path.is_file():
        raise InputError(f"script {path} does not exist")
    try:
        content = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    reader = {".txt": _read_txt, ".csv": _read_csv}.get(path.suffix.lower(), _read_yaml)
    lines = reader(path, content, auto)
    if not lines:
        raise InputError(f"{path}: the script has no lines to speak")
    return lines
