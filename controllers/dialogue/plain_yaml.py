"""emostudio's own ``.yaml`` scripts: a list of ``{id, text, emotion, speaker, character}``.

``text`` is required; ``emotion`` is a description, ``auto``, or a mapping
``{valence, arousal[, dominance]}`` or ``{category, intensity}``; ``speaker`` names who says it
in the scene, ``character`` the character who performs it (a built-in name or a file).
"""

from __future__ import annotations

from pathlib import Path

from controllers.dialogue.line import Dialogue, DialogueLine
from controllers.dialogue.source import read_text, short
from controllers.dialogue.yamlsafe import load_yaml, without_lines
from controllers.errors import InputError

KEYS = ("id", "text", "emotion", "speaker", "character")


def read(path: Path) -> Dialogue:
    data = load_yaml(read_text(path), path)
    if not isinstance(data, list):
        raise InputError(f"{path}:1: a YAML script is a list of {{id, text, emotion}} entries")
    lines = []
    for k, item in enumerate(data, 1):
        if not isinstance(item, dict):
            lines.append(DialogueLine(short(item), f"{path}: entry {k}", id=f"line-{k:03d}",
                                      problem="not a mapping with id, text, emotion"))
            continue
        where = f"{path}:{item.get('__line__', '?')}"
        item = without_lines(item)
        unknown = set(item) - set(KEYS)
        problem = (f"unknown key(s) {short(', '.join(sorted(map(str, unknown))))}; accepted: "
                   f"{', '.join(KEYS)}") if unknown else None
        speaker, character = item.get("speaker"), item.get("character")
        lines.append(DialogueLine(
            item.get("text") or "", where, id=item.get("id") or f"line-{k:03d}",
            speaker=None if speaker is None else str(speaker).strip() or None,
            character=None if character is None else str(character).strip() or None,
            emotion=item.get("emotion"), problem=problem))
    return Dialogue(lines, format="yaml")
