"""Scripts: many takes in one file, each with a stable id, a speaker's character and an
emotion plan.

The file is read by the reader of its format (:mod:`controllers.dialogue`: emostudio's own
``.txt``, ``.csv`` and ``.yaml``, Yarn Spinner, Ink, Fountain, Ren'Py, articy:draft JSON and VO
spreadsheets); this module turns what the writer wrote into what the studio performs:

- **ids**: the script's own (``#line:dock01``, a ``Line ID`` cell, ``@welcome``), else
  ``line-NNN`` (NNN: the line's number in the file, or its position in a table or list);
  letters, digits, ``-``, ``_``, ``.``, unique in the script. A VO sheet's ``Filename`` names
  the take's folder (:attr:`ScriptLine.folder`).
- **emotion**: an explicit emotion cell (``.csv``/``.yaml`` ``emotion``, ``.txt`` ``# default:``,
  which must be understood), else the writer's cues that the natural-language controller
  understands (:mod:`controllers.dialogue.cues`), else the speaker's style from the cast
  mapping, else neutral (or ``auto``: from the line's own words). Inline ``[tags]`` change it
  from there on.
- **characters**: a line's ``character`` cell, else its speaker's role in the cast mapping,
  else one built-in character per speaker (:mod:`controllers.dialogue.casting`). A script
  without speakers or characters is performed by the studio's default (``character`` None).

Every problem is an :class:`InputError` naming the file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from controllers.character import Character
from controllers.dialogue import SUFFIXES, DialogueLine, read_dialogue
from controllers.dialogue.casting import Role, cast_speakers, read_cast_map
from controllers.dialogue.cues import emotion_of
from controllers.dialogue.source import MAX_SCRIPT_BYTES, short
from controllers.dialogue.yamlsafe import MAX_YAML_NODES
from controllers.errors import InputError
from controllers.inline import AUTO, plan_line
from controllers.numbers import finite_number
from controllers.target import EmotionPlan, EmotionTarget

__all__ = ["ScriptLine", "load_script", "plan_text", "SUFFIXES", "MAX_SCRIPT_BYTES",
           "MAX_YAML_NODES"]

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")


@dataclass(frozen=True)
class ScriptLine:
    """One take of a script."""

    id: str
    """Stable identifier: the script's own, or ``line-NNN`` from the line number / position."""
    text: str
    """The text to perform (emostudio's inline ``[tags]`` included; a writer format's markup
    removed)."""
    plan: EmotionPlan | None
    """What to perform: ``plan.text`` is the text without tags. None only when :attr:`error`
    is set (``load_script(..., strict=False)``)."""
    source: str
    """Where it came from, ``FILE:LINE``."""
    emotion: str = ""
    """The line's default emotion as a description ("" when none): the emotion cell, the
    understood cues, or the speaker's style."""
    error: str | None = None
    """``FILE:LINE: message`` for a line that cannot be performed (``strict=False`` only)."""
    speaker: str | None = None
    """Who says it, as the script names them (None: narration, or a script without speakers)."""
    character: Character | None = None
    """Who performs it (None: the studio's default character)."""
    folder: str | None = None
    """The take's folder name when it is not :attr:`id` (a VO sheet's ``Filename`` stem)."""
    cues: tuple[str, ...] = ()
    """The writer's cues the emotion was read from (``("angry",)`` for ``#mood:angry``)."""


def plan_text(text: str, default: str | EmotionTarget | None) -> EmotionPlan:
    """The one place where a script line's text becomes the plan the studio performs:
    ``default`` (a description, ``"auto"``, a target or None) until the first inline tag."""
    return plan_line(text, default)


def _emotion_cell(value, where: str) -> tuple[str, EmotionTarget | None]:
    """A CSV/YAML emotion cell -> (the emotion as a description, a target when it was given as
    numbers). A mapping is written back as a description the parser reads the same way
    ("valence 0.6, arousal -0.4", "surprise, intensity 0.5")."""
    if value is None:
        return "", None
    if isinstance(value, (int, float)):
        raise InputError(f"{where}: emotion {short(value)} is a bare number; write a description or "
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
        raise InputError(f"{where}: emotion mapping {short(value)} needs valence and arousal, or a "
                         "category (and intensity)") from None


def _default_id(entry: DialogueLine, position: int) -> str:
    line = entry.where.rsplit(":", 1)[-1]
    return f"line-{int(line):03d}" if line.isdigit() else f"line-{position:03d}"


class _Builder:
    """Checks lines one by one (ids and folders unique across the script) and plans them."""

    def __init__(self, auto: bool, roles: Mapping[str | None, Role] | None, base: Path) -> None:
        self.auto, self.roles, self.base = auto, roles, base
        self.seen: dict[str, str] = {}
        self.folders: dict[str, str] = {}

    def ident(self, entry: DialogueLine, position: int) -> str:
        return str(entry.id if entry.id is not None else _default_id(entry, position)).strip()

    def build(self, entry: DialogueLine, position: int) -> ScriptLine:
        """One checked, planned line; raises InputError naming ``FILE:LINE``."""
        where = entry.where
        if entry.problem:
            raise InputError(f"{where}: {entry.problem}")
        ident = self.ident(entry, position)
        if not _ID.match(ident):
            raise InputError(f"{where}: id {short(ident)} is not accepted; use letters, digits, "
                             "'-', '_' or '.', up to 64 characters")
        if ident in self.seen:
            raise InputError(f"{where}: id {ident!r} is used twice (first at {self.seen[ident]})")
        self.seen[ident] = where
        folder = Path(entry.filename).stem if entry.filename else None
        if folder is not None and not _ID.match(folder):
            raise InputError(f"{where}: file name {short(entry.filename)} is not accepted as a "
                             "folder name; use letters, digits, '-', '_' or '.'")
        key = (folder or ident).lower()
        if key in self.folders:
            raise InputError(f"{where}: take folder {folder or ident!r} is used twice (first at "
                             f"{self.folders[key]})")
        self.folders[key] = where
        if not isinstance(entry.text, str):
            raise InputError(f"{where}: the text {short(entry.text)} is not a line of text")
        if not entry.text.strip():
            raise InputError(f"{where}: the text is empty")
        character, style = self.character(entry)
        description, target = _emotion_cell(entry.emotion, where)
        cues: tuple[str, ...] = ()
        if not description and target is None:
            description, cues = emotion_of(entry.cues)
            description = description or style
        default = target or description or (AUTO if self.auto else None)
        try:
            plan = plan_text(entry.text, default)
        except InputError as exc:
            raise InputError(f"{where}: {exc}") from None
        return ScriptLine(ident, entry.text.strip(), plan, where, description,
                          speaker=entry.speaker, character=character,
                          folder=folder if folder != ident else None, cues=cues)

    def character(self, entry: DialogueLine) -> tuple[Character | None, str]:
        """The line's character and its speaker's style."""
        role = self.roles.get(entry.speaker) if self.roles is not None else None
        if entry.character:
            from controllers.cast import load_character

            name = entry.character
            if name.lower().endswith((".yaml", ".yml")) and (self.base / name).is_file():
                name = str(self.base / name)  # a character file beside the script
            try:
                return load_character(name), role.style if role else ""
            except InputError as exc:
                raise InputError(f"{entry.where}: {exc}") from None
        return (role.character, role.style) if role else (None, "")

    def failed(self, entry: DialogueLine, error: InputError, position: int) -> ScriptLine:
        """The line as written, with its error (``strict=False``)."""
        ident = self.ident(entry, position) or "?"
        self.seen.setdefault(ident, entry.where)
        text = entry.text.strip() if isinstance(entry.text, str) else ""
        emotion = entry.emotion if isinstance(entry.emotion, str) else (
            "" if entry.emotion is None else str(entry.emotion))
        role = self.roles.get(entry.speaker) if self.roles is not None else None
        return ScriptLine(ident, text, None, entry.where, emotion, str(error),
                          speaker=entry.speaker, character=role.character if role else None)


def load_script(path: str | Path, auto: bool = False, strict: bool = True,
                fmt: str | None = None, cast: str | Path | None = None) -> list[ScriptLine]:
    """Read a script into its takes, in file order.

    ``fmt`` forces a format (:data:`controllers.dialogue.FORMATS`; None: by the extension).
    ``cast``: a cast mapping file (speaker -> character, style); without one every speaker
    gets a built-in character of its own. ``auto``: lines without an emotion take the one
    their own words suggest (:func:`controllers.auto.infer_emotion`) instead of neutral.
    ``strict=False``: a line with a problem (empty text, an unreadable emotion, a bad or
    repeated id, an unknown character) comes back with :attr:`ScriptLine.error` set and no
    plan instead of raising; problems of the whole file (type, existence, encoding, syntax,
    a CSV header, no lines, a bad cast mapping) always raise.
    """
    dialogue = read_dialogue(path, fmt)
    mapping = read_cast_map(cast) if cast is not None else None
    entries = dialogue.lines
    scene = mapping is not None or any(e.speaker for e in entries)
    roles = (cast_speakers([e.speaker for e in entries if not e.character], mapping,
                           dialogue.sexes) if scene else None)
    builder = _Builder(auto, roles, Path(path).parent)
    lines = []
    for position, entry in enumerate(entries, 1):
        try:
            lines.append(builder.build(entry, position))
        except InputError as exc:
            if strict:
                raise
            lines.append(builder.failed(entry, exc, position))
    return lines
