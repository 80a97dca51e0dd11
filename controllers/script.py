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
    plan: EmotionPlan | None
    """What to perform: ``plan.text`` is the text without tags. None only when :attr:`error`
    is set (``load_script(..., strict=False)``)."""
    source: str
    """Where it came from, ``FILE:LINE``."""
    emotion: str = ""
    """The line's default emotion as written ("" when none)."""
    error: str | None = None
    """``FILE:LINE: message`` for a line that cannot be performed (``strict=False`` only)."""


@dataclass
class _Entry:
    """A line as read from the file, before it is checked."""

    id: str | None
    text: object
    emotion: object
    where: str
    problem: str | None = None


def _line_id(n: int) -> str:
    return f"line-{n:03d}"


def _emotion_cell(value, where: str) -> tuple[str, EmotionTarget | None]:
    """A CSV/YAML emotion cell -> (the emotion as a description, a target when it was given as
    numbers). A mapping is written back as a description the parser reads the same way
    ("valence 0.6, arousal -0.4", "surprise, intensity 0.5")."""
    if value is None:
        return "", None
    if isinstance(value, (int, float)):
        raise InputError(f"{where}: emotion {value!r} is a bare number; write a description or "
                         "{valence: .., arousal: ..}")
    if not isinstance(value, dict):
        return str(value).strip(), None
    try:
        if "category" in value:
            intensity = float(value.get("intensity", 1.0))
            target = EmotionTarget.from_category(str(value["category"]), intensity)
            return f"{target.category}, intensity {intensity:g}", target
        numbers = {k: float(value[k]) for k in ("valence", "arousal", "dominance") if k in value}
        target = EmotionTarget.from_vad(numbers["valence"], numbers["arousal"],
                                        numbers.get("dominance", 0.0))
        return ", ".join(f"{k} {v:g}" for k, v in numbers.items()), target
    except (KeyError, TypeError, ValueError):
        raise InputError(f"{where}: emotion mapping {value!r} needs valence and arousal, or a "
                         "category (and intensity)") from None
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None


def _build(entry: _Entry, seen: dict[str, str], auto: bool) -> ScriptLine:
    """Check one entry and plan it; raises InputError naming ``FILE:LINE``."""
    where = entry.where
    if entry.problem:
        raise InputError(f"{where}: {entry.problem}")
    ident = str(entry.id).strip()
    if not _ID.match(ident):
        raise InputError(f"{where}: id {ident!r} is not accepted; use letters, digits, '-', '_' "
                         "or '.', up to 64 characters")
    if ident in seen:
        raise InputError(f"{where}: id {ident!r} is used twice (first at {seen[ident]})")
    seen[ident] = where
    if not isinstance(entry.text, str) or not entry.text.strip():
        raise InputError(f"{where}: the text is empty")
    description, target = _emotion_cell(entry.emotion, where)
    default = target or description or (AUTO if auto else None)
    try:
        plan = plan_line(entry.text, default)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None
    return ScriptLine(ident, entry.text.strip(), plan, where, description)


def _failed(entry: _Entry, error: InputError, seen: dict[str, str]) -> ScriptLine:
    """The line as written, with its error (``strict=False``)."""
    ident = str(entry.id if entry.id is not None else "").strip() or "?"
    seen.setdefault(ident, entry.where)
    text = entry.text.strip() if isinstance(entry.text, str) else ""
    emotion = entry.emotion if isinstance(entry.emotion, str) else (
        "" if entry.emotion is None else str(entry.emotion))
    return ScriptLine(ident, text, None, entry.where, emotion, str(error))


def _read_txt(path: Path, content: str) -> list[_Entry]:
    entries = []
    default = ""
    for n, raw in enumerate(content.splitlines(), 1):
        stripped = raw.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            m = _DEFAULT.match(stripped)
            if m:
                default = m.group(1).strip()
            continue
        m = _TXT_ID.match(stripped)
        entries.append(_Entry(m.group(1) if m else _line_id(n),
                              stripped[m.end():] if m else stripped, default, f"{path}:{n}"))
    return entries


def _read_csv(path: Path, content: str) -> list[_Entry]:
    reader = csv.DictReader(io.StringIO(content))
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    if "text" not in fields or "id" not in fields:
        raise InputError(f"{path}:1: a script CSV needs a header with id,text[,emotion] columns; "
                         f"found {','.join(fields) or 'nothing'}")
    reader.fieldnames = fields
    entries = []
    for k, row in enumerate(reader, 1):
        problem = (f"more cells than the header's {len(fields)} columns (quote text that "
                   "contains commas)") if None in row else None
        entries.append(_Entry((row.get("id") or "").strip() or _line_id(k), row.get("text") or "",
                              row.get("emotion"), f"{path}:{reader.line_num}", problem))
    return entries


def _load_yaml(content: str, path: Path):
    """Safe-load YAML, remembering each mapping's line under ``__line__``."""
    import yaml

    class LineLoader(yaml.SafeLoader):
        pass

    def construct_mapping(loader, node, deep=False):
        mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping

    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    try:
        return yaml.load(content, Loader=LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{path}{line}: not valid YAML ({problem})") from None


def _read_yaml(path: Path, content: str) -> list[_Entry]:
    data = _load_yaml(content, path)
    if not isinstance(data, list):
        raise InputError(f"{path}:1: a YAML script is a list of {{id, text, emotion}} entries")
    entries = []
    for k, item in enumerate(data, 1):
        if not isinstance(item, dict):
            entries.append(_Entry(_line_id(k), str(item), None, f"{path}: entry {k}",
                                  "not a mapping with id, text, emotion"))
            continue
        where = f"{path}:{item.pop('__line__', '?')}"
        if isinstance(item.get("emotion"), dict):
            item["emotion"].pop("__line__", None)
        unknown = set(item) - {"id", "text", "emotion"}
        problem = (f"unknown key(s) {', '.join(sorted(map(str, unknown)))}; accepted: id, text, "
                   "emotion") if unknown else None
        entries.append(_Entry(item.get("id") or _line_id(k), item.get("text") or "",
                              item.get("emotion"), where, problem))
    return entries


def load_script(path: str | Path, auto: bool = False, strict: bool = True) -> list[ScriptLine]:
    """Read a script (.txt, .csv, .yaml/.yml) into its takes, in file order.

    ``auto``: lines without an emotion take the one their own words suggest
    (:func:`controllers.auto.infer_emotion`) instead of neutral. ``strict=False``: a line with a
    problem (empty text, an unreadable emotion, a bad or repeated id) comes back with
    :attr:`ScriptLine.error` set and no plan instead of raising; problems of the whole file
    (type, existence, encoding, YAML syntax, CSV header, no lines) always raise.
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
    entries = reader(path, content)
    if not entries:
        raise InputError(f"{path}: the script has no lines to speak")
    lines, seen = [], {}
    for entry in entries:
        try:
            lines.append(_build(entry, seen, auto))
        except InputError as exc:
            if strict:
                raise
            lines.append(_failed(entry, exc, seen))
    return lines
