"""The cast: character files -> :class:`~controllers.character.Character` objects.

A character is one small YAML file (see ``assets/cast/*.yaml``, the built-in cast)::

    name: mara
    sex: female
    age: 26
    description: a bright, quick young woman
    voice: {pitch_shift_st: 9.5, formant_factor: 1.17, ...}     # VoiceSpec fields
    avatar: {gender: 0.0, age: 0.52, skin: [0.9, 0.72, 0.62], ...}  # AvatarSpec fields
    performance: {gesture_amplitude: 1.2, blink_rate: 18, ...}   # PerformanceStyle fields

Every section and field but ``name`` and ``sex`` is optional. ``voice.model`` is ``joe`` (the
built-in piper voice) or a path to a piper ``.onnx`` voice, relative to the file. A user adds a
character by writing such a file and naming it (``--character my_hero.yaml``).

This module is the only place that turns a name into a character; the callers at the top of the
house (CLI, web UI, batch, live server, Python API) do so once and pass the object down.
"""

from __future__ import annotations

import dataclasses
import math
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from controllers.assets import asset_path
from controllers.character import (SEXES, AvatarSpec, Character, PerformanceStyle, VoiceSpec)
from controllers.errors import InputError

#: The character every command uses unless told otherwise.
DEFAULT_CHARACTER = "joe"
#: Largest character file read, bytes.
MAX_CHARACTER_FILE = 64 * 1024

_SECTIONS = {"voice": VoiceSpec, "avatar": AvatarSpec, "performance": PerformanceStyle}


def cast_dir() -> Path:
    """The folder of the built-in cast's files."""
    return asset_path("cast")


def portrait_path(name: str) -> Path:
    """Where the built-in character ``name``'s portrait lives (``assets/cast/portraits/NAME.png``,
    rendered by ``python -m studio.portraits``)."""
    return cast_dir() / "portraits" / f"{name}.png"


@lru_cache(maxsize=1)
def builtin_cast() -> tuple[Character, ...]:
    """Every built-in character, the default first, then by file name."""
    files = sorted(cast_dir().glob("*.yaml"))
    cast = [read_character(f) for f in files]
    cast.sort(key=lambda c: (c.name != DEFAULT_CHARACTER, c.name))
    return tuple(cast)


def character_names() -> tuple[str, ...]:
    """Names of the built-in characters (the default first)."""
    return tuple(c.name for c in builtin_cast())


def load_character(which: str | Path | Character | None = None) -> Character:
    """A character by built-in name (``"mara"``), by file path (``"hero.yaml"``), or as given.

    None or "" is :data:`DEFAULT_CHARACTER`. Raises :class:`InputError` naming the character for
    an unknown name or a broken file.
    """
    if isinstance(which, Character):
        return which
    if which is None or (isinstance(which, str) and not which.strip()):
        which = DEFAULT_CHARACTER
    key = str(which).strip()
    for character in builtin_cast():
        if character.name == key.lower():
            return character
    path = Path(key).expanduser()
    if path.suffix.lower() in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise InputError(f"character file {key!r} does not exist")
        return read_character(path)
    raise InputError(f"unknown character {key!r}; built-in characters: "
                     f"{', '.join(character_names())} (or give a character .yaml file)")


def read_character(path: str | Path) -> Character:
    """Read one character file; :class:`InputError` names the file and what is wrong."""
    import yaml

    path = Path(path)
    try:
        if path.stat().st_size > MAX_CHARACTER_FILE:
            raise InputError(f"character file {path}: larger than {MAX_CHARACTER_FILE} bytes")
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise InputError(f"character file {path}: cannot be read ({e.strerror or e})") from None
    except UnicodeDecodeError:
        raise InputError(f"character file {path}: not UTF-8 text") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or "malformed YAML"
        raise InputError(f"character file {path}{where}: {problem}") from None
    try:
        return character_from_dict(data, base=path.parent, source=str(path))
    except InputError as e:
        raise InputError(f"character file {path}: {e}") from None


def character_from_dict(data: Mapping, base: Path | None = None, source: str = "") -> Character:
    """A :class:`Character` from a parsed file; relative voice model paths resolve against
    ``base``. Unknown keys, missing ``name``/``sex`` and bad values raise :class:`InputError`."""
    if not isinstance(data, Mapping):
        raise InputError("expected a mapping with at least 'name' and 'sex'")
    known = {"name", "sex", "age", "description", *_SECTIONS}
    unknown = sorted(set(map(str, data)) - known)
    if unknown:
        raise InputError(f"unknown field {unknown[0]!r}; accepted: {', '.join(sorted(known))}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or any(c.isspace() for c in name.strip()):
        raise InputError("'name' must be one word, e.g. name: mara")
    sex = data.get("sex")
    if sex not in SEXES:
        raise InputError(f"'sex' must be one of {', '.join(SEXES)}, not {sex!r}")
    age = _number("age", data.get("age", 30), 1, 120)
    sections = {key: _section(key, data.get(key) or {}) for key in _SECTIONS}
    voice = sections["voice"]
    if voice.model != "joe":
        model = Path(voice.model).expanduser()
        if not model.is_absolute() and base is not None:
            model = base / model
        if model.suffix != ".onnx" or not model.is_file():
            raise InputError(f"voice model {voice.model!r} is not a piper .onnx file")
        voice = dataclasses.replace(voice, model=str(model.resolve()))
    return Character(name=name.strip().lower(), sex=sex, age=int(round(age)),
                     description=str(data.get("description") or "").strip(),
                     voice=voice, avatar=sections["avatar"],
                     performance=sections["performance"], source=source)


#: Bounds of numeric fields: (low, high), inclusive.
_BOUNDS: dict[str, tuple[float, float]] = {
    "pitch_shift_st": (-24, 24), "pitch_range": (0.1, 4), "formant_factor": (0.7, 1.4),
    "breathiness": (0, 0.5), "tilt_db": (-24, 24), "rate": (0.5, 2),
    "gender": (0, 1), "age": (0, 1), "muscle": (0, 1), "weight": (0, 1), "height": (0, 1),
    "proportions": (0, 1), "body_gender": (0, 1),
    "gesture_amplitude": (0, 3), "gesture_tempo": (0.25, 3), "head_motion": (0, 3),
    "blink_rate": (0, 60),
}


def _section(key: str, data) -> VoiceSpec | AvatarSpec | PerformanceStyle:
    cls = _SECTIONS[key]
    if not isinstance(data, Mapping):
        raise InputError(f"'{key}' must be a mapping of {cls.__name__} fields")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values = {}
    for name, value in data.items():
        if name not in fields:
            raise InputError(f"unknown {key} field {name!r}; accepted: {', '.join(fields)}")
        default = fields[name].default
        label = f"{key}.{name}"
        if isinstance(default, str):
            values[name] = str(value)
        elif isinstance(default, tuple) and len(default) == 3:  # an RGB colour
            values[name] = _rgb(label, value)
        elif name == "envelope_db":
            values[name] = tuple(_number(label, v, -40, 40) for v in _sequence(label, value))
        elif name == "resting_expression":
            values[name] = _expression(label, value)
        else:
            low, high = _BOUNDS.get(name, (-math.inf, math.inf))
            values[name] = _number(label, value, low, high)
    return cls(**values)


def _number(label: str, value, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"{label} must be a number, not {value!r}")
    if not math.isfinite(value) or not low <= value <= high:
        raise InputError(f"{label} {value} is outside [{low:g}, {high:g}]")
    return float(value)


def _sequence(label: str, value) -> Sequence:
    if not isinstance(value, (list, tuple)):
        raise InputError(f"{label} must be a list of numbers")
    return value


def _rgb(label: str, value) -> tuple[float, float, float]:
    items = _sequence(label, value)
    if len(items) != 3:
        raise InputError(f"{label} must be three numbers in [0, 1] (sRGB)")
    return tuple(_number(label, v, 0, 1) for v in items)  # type: ignore[return-value]


def _expression(label: str, value) -> tuple[tuple[str, float], ...]:
    """ARKit name -> weight pairs (the face checks the names against the 52 it knows)."""
    if not isinstance(value, Mapping):
        raise InputError(f"{label} must be a mapping of ARKit names to weights in [0, 1]")
    return tuple((str(name), _number(f"{label}.{name}", weight, 0, 1))
                 for name, weight in value.items())


def assign_characters(speakers: Iterable[str], sexes: Mapping[str, str] | None = None,
                      cast: Sequence[Character] | None = None,
                      taken: Iterable[str] = ()) -> dict[str, Character]:
    """A character for every distinct speaker, deterministic and without a cast mapping.

    A speaker named like a character of the cast (``"Mara"``, ``"mara"``) is that character.
    The others, in order of first appearance, each get the next character not yet given nor
    ``taken`` (names of characters already cast otherwise), of its sex when ``sexes`` says it
    (the cast is taken female and male in turn, so speakers of unknown sex get both), so
    distinct speakers sound and look distinct while the cast lasts; after that the cast is
    reused in the same order. The same speakers always get the same characters.
    """
    cast = _alternating(list(cast or builtin_cast()))
    sexes = dict(sexes or {})
    by_name = {c.name: c for c in cast}
    order = list(dict.fromkeys(speakers))
    given: dict[str, Character] = {s: by_name[s.strip().lower()] for s in order
                                   if s.strip().lower() in by_name}
    used: set[str] = {c.name for c in given.values()} | set(taken)
    for speaker in order:
        if speaker in given:
            continue
        sex = sexes.get(speaker)
        free = [c for c in cast if c.name not in used]
        choice = next((c for c in free if sex in (None, c.sex)), None)
        if choice is None:
            same = [c for c in cast if sex in (None, c.sex)] or cast
            choice = same[len(given) % len(same)]
        given[speaker] = choice
        used.add(choice.name)
    return {speaker: given[speaker] for speaker in order}


def _alternating(cast: list[Character]) -> list[Character]:
    """``cast`` reordered so that the sexes take turns (the first character stays first)."""
    if not cast:
        return cast
    queues = {sex: [c for c in cast if c.sex == sex] for sex in SEXES}
    order, sex = [], cast[0].sex
    while any(queues.values()):
        if queues[sex]:
            order.append(queues[sex].pop(0))
        sex = SEXES[(SEXES.index(sex) + 1) % len(SEXES)]
    return order
