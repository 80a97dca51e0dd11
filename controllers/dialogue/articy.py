"""articy:draft X JSON exports (``.json`` with ``Packages`` of ``Models``).

Every ``DialogueFragment`` is a spoken line: its ``Text`` (a string, or a mapping of languages,
the first taken), its ``Speaker`` (the id of an entity, whose ``DisplayName`` is the speaker's
name) and its ``StageDirections`` (a cue). The line's id is its ``TechnicalName`` (else its
``Id``). An entity's template feature ``Sex``/``Gender`` (articy's basic character feature) is
the speaker's sex. Lines come in the order of the flow: from each fragment nothing leads to,
along its output pins' connections; fragments off the flow follow in file order. A line's place
is the line of the file that holds its ``Id``. An export with localization on holds keys, not
texts: it is refused with a clear message.
"""

from __future__ import annotations

import re
from pathlib import Path

from controllers.dialogue.line import Dialogue, DialogueLine
from controllers.dialogue.source import read_json, speakable
from controllers.errors import InputError


def is_articy(data) -> bool:
    """True for a parsed articy:draft JSON export."""
    return isinstance(data, dict) and isinstance(data.get("Packages"), list)


def _models(data: dict) -> list[dict]:
    models = []
    for package in data["Packages"]:
        if isinstance(package, dict) and isinstance(package.get("Models"), list):
            models += [m for m in package["Models"] if isinstance(m, dict)
                       and isinstance(m.get("Properties"), dict)]
    return models


def _text(value) -> str:
    if isinstance(value, dict):  # {"en": "...", "de": "..."}
        value = next((v for v in value.values() if isinstance(v, str)), "")
    return value if isinstance(value, str) else ""


def _sex(template) -> str | None:
    """``female``/``male`` from a ``Sex``/``Gender`` property anywhere in a template."""
    stack = [template]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key.lower() in ("sex", "gender") and isinstance(value, str):
                    word = value.strip().lower()
                    if word.startswith(("f", "w")):
                        return "female"
                    if word.startswith("m"):
                        return "male"
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return None


def _flow(fragments: list[dict]) -> list[dict]:
    """Fragments in the order of the flow (depth first along output connections)."""
    by_id = {f["Properties"].get("Id"): f for f in fragments}
    targets: dict[str, list[str]] = {}
    incoming: set[str] = set()
    for fid, fragment in by_id.items():
        pins = fragment["Properties"].get("OutputPins") or []
        nexts = [c.get("Target") for pin in pins if isinstance(pin, dict)
                 for c in (pin.get("Connections") or []) if isinstance(c, dict)]
        targets[fid] = [t for t in nexts if t in by_id and t != fid]
        incoming.update(targets[fid])
    order, seen = [], set()
    for start in [fid for fid in by_id if fid not in incoming] + list(by_id):
        stack = [start]
        while stack:
            fid = stack.pop()
            if fid in seen:
                continue
            seen.add(fid)
            order.append(by_id[fid])
            stack.extend(reversed(targets.get(fid, [])))
    return order


def read_data(path: Path, content: str, data: dict) -> Dialogue:
    """An export already parsed from ``content``."""
    settings = data.get("Settings") or {}
    if str(settings.get("set_Localization", "")).lower() == "true":
        raise InputError(f"{path}:1: this articy export is localized (its texts are keys into "
                         "the localization files); export with localization off")
    lines_of = {m.group(1): content.count("\n", 0, m.start()) + 1
                for m in re.finditer(r'"Id"\s*:\s*"([^"]+)"', content)}
    models = _models(data)
    names, sexes = {}, {}
    for model in models:
        props = model["Properties"]
        if model.get("Type") != "DialogueFragment" and props.get("DisplayName"):
            names[props.get("Id")] = str(props["DisplayName"]).strip()
            sex = _sex(model.get("Template"))
            if sex:
                sexes[names[props.get("Id")]] = sex
    fragments = [m for m in models if m.get("Type") == "DialogueFragment"]
    lines = []
    for fragment in _flow(fragments):
        props = fragment["Properties"]
        where = f"{path}:{lines_of.get(props.get('Id'), 1)}"
        speaker_id = props.get("Speaker")
        speaker = names.get(speaker_id)
        problem = None
        if speaker_id and speaker_id not in ("0x0000000000000000", "") and speaker is None:
            problem = f"speaker {speaker_id} is not an entity of this export"
        technical = str(props.get("TechnicalName") or "").strip()
        directions = _text(props.get("StageDirections")).strip()
        text = speakable(_text(props.get("Text")))
        if not text and not problem:
            continue  # a fragment with nothing to say (a hub, a menu-only choice)
        lines.append(DialogueLine(text, where, speaker=speaker,
                                  id=technical or props.get("Id"),
                                  cues=(directions,) if directions else (), problem=problem))
    return Dialogue(lines, sexes=sexes, format="articy")


def read(path: Path) -> Dialogue:
    content, data = read_json(path)
    if not is_articy(data):
        raise InputError(f"{path}:1: not an articy:draft JSON export (no 'Packages')")
    return read_data(path, content, data)
