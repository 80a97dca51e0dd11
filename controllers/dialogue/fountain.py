"""Fountain screenplays (``.fountain``), read with screenplain's parser (MIT).

Each dialogue block is a spoken line: the character cue is the speaker (extensions such as
``(V.O.)``, ``(O.S.)``, ``(CONT'D)``, the forced ``@`` and dual dialogue's ``^`` are not part of
the name), parentheticals are cues. A parenthetical before the speech is the line's cue
(``(angrily)``); one in the middle changes the emotion from there on (``Go on. (softly) I'm
listening.``) where the natural-language controller understands it, and is left out where it
does not (``(beat)``). Both sides of dual dialogue are spoken, left first. Notes (``[[...]]``),
the boneyard (``/* ... */``), action, scene headings and transitions are not. Fountain has no
line ids: a line's id is ``line-NNN``, the line number of its character cue.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from controllers.dialogue.cues import understood
from controllers.dialogue.line import Dialogue, DialogueLine
from controllers.dialogue.source import read_text, speakable, tidy

_EXTENSION = re.compile(r"\s*\([^()]*\)\s*")


def speaker_name(cue: str) -> str:
    """A character cue without its extensions: ``"WALTER (V.O.)"`` -> ``"WALTER"``."""
    return tidy(_EXTENSION.sub(" ", cue.strip().lstrip("@").rstrip("^"))) or cue.strip()


def _plain(rich) -> str:
    return re.sub(r"\[\[.*?\]\]", " ", str(rich))


def read(path: Path) -> Dialogue:
    from screenplain import types
    from screenplain.parsers.fountain import parse

    content = read_text(path)
    rows = content.splitlines()
    cursor = 0

    def cue_line(cue: str) -> int:
        """The line number of the character cue ``cue``, searched from the last one found."""
        nonlocal cursor
        for k in range(cursor, len(rows)):
            if rows[k].strip().lstrip("@").rstrip("^").strip() == cue.strip():
                cursor = k + 1
                return k + 1
        return cursor or 1

    lines = []
    for paragraph in parse(io.StringIO(content)):
        if isinstance(paragraph, types.DualDialog):
            dialogs = [paragraph.left, paragraph.right]
        elif isinstance(paragraph, types.Dialog):
            dialogs = [paragraph]
        else:
            continue
        for dialog in dialogs:
            line = _line(dialog, path, cue_line(str(dialog.character)))
            if line is not None:
                lines.append(line)
    return Dialogue(lines, format="fountain")


def _line(dialog, path: Path, n: int) -> DialogueLine | None:
    cues, parts = [], []
    for parenthetical, block in dialog.blocks:
        text = _plain(block).strip()
        if parenthetical:
            cue = text.strip("() ")
            if not parts:
                cues.append(cue)
            elif understood(cue):
                parts.append(f"[{cue}]")
        elif speakable(text):
            parts.append(speakable(text))
    while parts and parts[-1].startswith("["):  # a cue after the last words says nothing
        parts.pop()
    if not parts:
        return None
    return DialogueLine(" ".join(parts), f"{path}:{n}",
                        speaker=speaker_name(str(dialog.character)), cues=tuple(cues))
