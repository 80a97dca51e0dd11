"""Speakers to characters: a cast mapping file, or a deterministic default.

A cast mapping (``--cast map.yaml``) maps the script's speakers (names matched without case)
to characters, each a built-in name or a character ``.yaml`` file (relative to the mapping),
optionally with a style: the emotion of that speaker's lines that carry no cue of their own::

    Mara: mara                    # a speaker -> a character
    Sam:
      character: walter
      style: tired, a little annoyed
    narrator: {character: my_narrator.yaml}   # lines without a speaker

Speakers the mapping does not name get :func:`controllers.cast.assign_characters`: each its
own built-in character not already given, sex-matched where the script or the name says
(:mod:`controllers.dialogue.names`), stable across runs. A speaker named like a built-in
character (``Mara``, ``mara``) is that character.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from controllers.character import Character
from controllers.errors import InputError

#: The speaker key of lines without a speaker (narration) in a cast mapping.
NARRATOR = "narrator"


@dataclass(frozen=True)
class Role:
    """Who performs one speaker's lines, and how."""

    character: Character
    style: str = ""
    """The emotion description of the speaker's lines without a cue ("" for none)."""


def speaker_key(speaker: str | None) -> str:
    """How a speaker is matched in a mapping: lower case, spaces tidied (None: narration)."""
    return " ".join((speaker or NARRATOR).lower().split())


def read_cast_map(path: str | Path) -> dict[str, Role]:
    """A cast mapping file -> speaker key -> :class:`Role`. InputError names the file, the
    line and what is wrong."""
    from controllers.cast import load_character
    from controllers.dialogue.source import check_file, read_text, short
    from controllers.dialogue.yamlsafe import load_yaml, without_lines

    path = Path(path)
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise InputError(f"cast mapping {path}: a .yaml file is expected (speaker: character)")
    if not path.is_file():
        raise InputError(f"cast mapping {path} does not exist")
    check_file(path)
    data = load_yaml(read_text(path), path, "a cast mapping is 'speaker: character' lines")
    line = data.get("__line__", 1) if isinstance(data, dict) else 1
    if not isinstance(data, dict) or not without_lines(data):
        raise InputError(f"cast mapping {path}:{line}: expected 'speaker: character' lines "
                         "(e.g. 'Mara: mara')")
    roles = {}
    for speaker, value in without_lines(data).items():
        where = f"cast mapping {path}:{_line_of(data, speaker)}"
        if isinstance(value, str):
            value = {"character": value}
        if not isinstance(value, dict) or not isinstance(value.get("character"), str):
            raise InputError(f"{where}: speaker {str(speaker)!r} needs a character (a built-in "
                             "name or a .yaml file), e.g. 'Mara: mara' or "
                             "'Mara: {character: mara, style: calm}'")
        unknown = set(value) - {"character", "style"}
        if unknown:
            raise InputError(f"{where}: unknown key(s) {short(', '.join(map(str, unknown)))} "
                             f"for {str(speaker)!r}; accepted: character, style")
        name = value["character"].strip()
        if name.lower().endswith((".yaml", ".yml")) and not Path(name).is_absolute():
            name = str(path.parent / name)
        try:
            character = load_character(name)
        except InputError as exc:
            raise InputError(f"{where}: {exc}") from None
        style = value.get("style")
        if style is not None and not isinstance(style, str):
            raise InputError(f"{where}: the style of {str(speaker)!r} is an emotion "
                             f"description (text), not {short(style)}")
        roles[speaker_key(str(speaker))] = Role(character, (style or "").strip())
    return roles


def _line_of(data: dict, key) -> object:
    """The line of the mapping's entry ``key`` (YAML keeps lines of mappings only)."""
    value = data.get(key)
    return value.get("__line__", data.get("__line__", "?")) if isinstance(value, dict) \
        else data.get("__line__", "?")


def cast_speakers(speakers: Iterable[str | None], roles: Mapping[str, Role] | None = None,
                  sexes: Mapping[str, str] | None = None) -> dict[str | None, Role]:
    """A :class:`Role` for every distinct speaker (None: narration): the mapping's, else one
    of the built-in cast, each speaker a different character while the cast lasts."""
    from controllers.cast import assign_characters
    from controllers.dialogue.names import sex_of_name

    roles = dict(roles or {})
    sexes = {speaker_key(k): v for k, v in (sexes or {}).items()}
    order = list(dict.fromkeys(speakers))
    given: dict[str | None, Role] = {}
    unmapped: list[str] = []
    for speaker in order:
        key = speaker_key(speaker)
        if key in roles:
            given[speaker] = roles[key]
        elif key not in unmapped:
            unmapped.append(key)
    if unmapped:
        known = {key: sexes.get(key) or sex_of_name(key) for key in unmapped}
        taken = [role.character.name for role in given.values()]
        assigned = assign_characters(unmapped, {k: v for k, v in known.items() if v},
                                     taken=taken)
        for speaker in order:
            if speaker not in given:
                given[speaker] = Role(assigned[speaker_key(speaker)])
    return given
