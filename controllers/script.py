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
import reprlib
from dataclasses import dataclass
from pathlib import Path

from controllers.errors import InputError
from controllers.inline import AUTO, plan_line
from controllers.numbers import finite_number
from controllers.target import EmotionPlan, EmotionTarget

SUFFIXES = (".txt", ".csv", ".yaml", ".yml")
#: Largest script file read, in bytes (a script of thousands of lines is far smaller).
MAX_SCRIPT_BYTES = 4 * 2**20
#: Most values a YAML script may hold with its aliases expanded ("billion laughs" guard).
MAX_YAML_NODES = 100_000
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


def _short(value) -> str:
    """``repr(value)``, shortened for a one-line message."""
    shortener = reprlib.Repr()
    shortener.maxstring = shortener.maxother = 60
    return shortener.repr(value)


def _line_id(n: int) -> str:
    return f"line-{n:03d}"


def _emotion_cell(value, where: str) -> tuple[str, EmotionTarget | None]:
    """A CSV/YAML emotion cell -> (the emotion as a description, a target when it was given as
    numbers). A mapping is written back as a description the parser reads the same way
    ("valence 0.6, arousal -0.4", "surprise, intensity 0.5")."""
    if value is None:
        return "", None
    if isinstance(value, (int, float)):
        raise InputError(f"{where}: emotion {_short(value)} is a bare number; write a description or "
                         "{valence: .., arousal: ..}")
    if not isinstance(value, dict):
        return str(value).strip(), None
    try:
        if "category" in value:
            intensity = finite_number("intensity", value.get("intensity", 1.0), 0.0, 1.0)
            target = EmotionTarget.from_category(str(value["category"]), intensity)
            return f"{target.category}, intensity {intensity:g}", target
        numbers = {k: finite_number(k, value[k], -1.0, 1.0)
                   for k in ("valence", "arousal", "dominance") if k in value}
        target = EmotionTarget.from_vad(numbers["valence"], numbers["arousal"],
                                        numbers.get("dominance", 0.0))
        return ", ".join(f"{k} {v:g}" for k, v in numbers.items()), target
    except InputError as exc:  # (a ValueError: caught first)
        raise InputError(f"{where}: {exc}") from None
    except (KeyError, TypeError, ValueError):
        raise InputError(f"{where}: emotion mapping {_short(value)} needs valence and arousal, or a "
                         "category (and intensity)") from None


def _build(entry: _Entry, seen: dict[str, str], auto: bool) -> ScriptLine:
    """Check one entry and plan it; raises InputError naming ``FILE:LINE``."""
    where = entry.where
    if entry.problem:
        raise InputError(f"{where}: {entry.problem}")
    ident = str(entry.id).strip()
    if not _ID.match(ident):
        raise InputError(f"{where}: id {_short(ident)} is not accepted; use letters, digits, '-', '_' "
                         "or '.', up to 64 characters")
    if ident in seen:
        raise InputError(f"{where}: id {ident!r} is used twice (first at {seen[ident]})")
    seen[ident] = where
    if not isinstance(entry.text, str):
        raise InputError(f"{where}: the text {_short(entry.text)} is not a line of text")
    if not entry.text.strip():
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


def _csv_rows(path: Path, content: str):
    """``(line number where the row starts, cells)`` of each CSV row; a malformed row (a quote
    never closed, text after a closing quote) raises InputError naming the line it starts on."""
    reader = csv.reader(io.StringIO(content), strict=True)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            why = ("a quote opened here is never closed" if "end of data" in str(exc)
                   else f"malformed CSV ({exc}); quote text that contains commas or quotes, "
                        'doubling inner quotes ("")')
            raise InputError(f"{path}:{start}: {why}") from None
        if row:
            yield start, row


def _read_csv(path: Path, content: str) -> list[_Entry]:
    rows = _csv_rows(path, content)
    header = next(rows, (1, []))[1]
    fields = [f.strip().lower() for f in header]
    if "text" not in fields or "id" not in fields:
        raise InputError(f"{path}:1: a script CSV needs a header with id,text[,emotion] columns; "
                         f"found {','.join(fields) or 'nothing'}")
    entries = []
    for k, (n, cells) in enumerate(rows, 1):
        row = dict(zip(fields, cells))
        problem = (f"more cells than the header's {len(fields)} columns (quote text that "
                   "contains commas)") if len(cells) > len(fields) else None
        entries.append(_Entry((row.get("id") or "").strip() or _line_id(k), row.get("text") or "",
                              row.get("emotion"), f"{path}:{n}", problem))
    return entries


def _load_yaml(content: str, path: Path):
    """Safe-load YAML, remembering each mapping's line under ``__line__``.

    Aliases are allowed (``emotion: *angry``) but the document, with every alias expanded, may
    hold at most :data:`MAX_YAML_NODES` nodes: a "billion laughs" file is refused before it is
    built. Nesting deeper than Python's recursion limit is refused too.
    """
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class LineLoader(base):
        pass

    def construct_mapping(loader, node, deep=False):
        mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping

    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    loader = LineLoader(content)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expanded_size(node, path)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{path}{line}: not valid YAML ({problem})") from None
    except RecursionError:
        raise InputError(f"{path}: YAML nested too deeply; a script is a flat list of "
                         "{id, text, emotion} entries") from None
    finally:
        loader.dispose()


def _check_expanded_size(root, path: Path) -> None:
    """InputError when ``root`` (a composed YAML node), with aliases expanded, holds more than
    :data:`MAX_YAML_NODES` nodes (counted once per distinct node, memoised, so quickly)."""
    import yaml

    sizes: dict[int, int] = {}
    # iterative post-order walk: aliases make the graph a DAG whose expansion can be huge
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if isinstance(node, yaml.ScalarNode):
            sizes[id(node)] = 1
            continue
        kids = ([k for pair in node.value for k in pair] if isinstance(node, yaml.MappingNode)
                else list(node.value))
        if children_done:
            total = 1 + sum(sizes[id(k)] for k in kids)
            if total > MAX_YAML_NODES:
                raise InputError(f"{path}:{node.start_mark.line + 1}: YAML aliases expand to more "
                                 f"than {MAX_YAML_NODES} values; a script needs far fewer "
                                 "(is this a 'billion laughs' file?)")
            sizes[id(node)] = total
        else:
            stack.append((node, True))
            stack.extend((k, False) for k in kids if id(k) not in sizes)


def _read_yaml(path: Path, content: str) -> list[_Entry]:
    data = _load_yaml(content, path)
    if not isinstance(data, list):
        raise InputError(f"{path}:1: a YAML script is a list of {{id, text, emotion}} entries")
    entries = []
    for k, item in enumerate(data, 1):
        if not isinstance(item, dict):
            entries.append(_Entry(_line_id(k), _short(item), None, f"{path}: entry {k}",
                                  "not a mapping with id, text, emotion"))
            continue
        # (copies: an alias may share one mapping between entries)
        where = f"{path}:{item.get('__line__', '?')}"
        item = {key: v for key, v in item.items() if key != "__line__"}
        emotion = item.get("emotion")
        if isinstance(emotion, dict):
            emotion = {key: v for key, v in emotion.items() if key != "__line__"}
        unknown = set(item) - {"id", "text", "emotion"}
        problem = (f"unknown key(s) {_short(', '.join(sorted(map(str, unknown))))}; accepted: "
                   "id, text, emotion") if unknown else None
        entries.append(_Entry(item.get("id") or _line_id(k), item.get("text") or "",
                              emotion, where, problem))
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
    size = path.stat().st_size
    if size > MAX_SCRIPT_BYTES:
        raise InputError(f"{path}: the script is {size / 2**20:.1f} MiB; scripts up to "
                         f"{MAX_SCRIPT_BYTES // 2**20} MiB are read (split it into several)")
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
