"""emostudio's own ``.txt`` scripts: one take per line.

Inline ``[tags]`` change the emotion from there on; ``@my-id`` as the first word gives the line
an id (else ``line-NNN``, its line number); ``NAME: line`` names the speaker (a name of up to
four capitalised words before a colon, e.g. ``Mara: [angry] You're late.``, ``Old Man: ...``).
Blank lines and lines starting with ``#`` are skipped; ``# default: calm`` sets the default
emotion of the lines after it.
"""

from __future__ import annotations

import re
from pathlib import Path

from controllers.dialogue.line import Dialogue, DialogueLine
from controllers.dialogue.source import read_text

_TXT_ID = re.compile(r"^@(\S+)\s+")
_DEFAULT = re.compile(r"^#\s*default\s*:\s*(.*)$", re.IGNORECASE)
#: ``Name:`` at the start of a line: up to four capitalised words (letters, digits, . ' -),
#: then a colon and a space.
SPEAKER = re.compile(r"^([A-Z\u00c0-\u00de][\w.'\-]*(?: [A-Z\u00c0-\u00de][\w.'\-]*){0,3})"
                     r"\s*:\s+(?=\S)")


def read(path: Path) -> Dialogue:
    lines = []
    default = ""
    for n, raw in enumerate(read_text(path).splitlines(), 1):
        stripped = raw.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            m = _DEFAULT.match(stripped)
            if m:
                default = m.group(1).strip()
            continue
        m = _TXT_ID.match(stripped)
        ident, text = (m.group(1), stripped[m.end():]) if m else (None, stripped)
        speaker = SPEAKER.match(text)
        lines.append(DialogueLine(text[speaker.end():] if speaker else text, f"{path}:{n}",
                                  speaker=speaker.group(1) if speaker else None, id=ident,
                                  emotion=default or None))
    return Dialogue(lines, format="txt")
