"""Scripts as tables: emostudio's ``.csv`` and the VO spreadsheets of game studios
(``.csv``, ``.tsv``, ``.xlsx``).

The header row (the first of the first ten rows that names a text column) says what each column
holds; names are matched without case, spaces or punctuation:

=========  ==================================================================================
id         ``Line ID``, ``id``, ``Identifier``, ``entrytag``
speaker    ``Character``, ``Actor``, ``Speaker``, ``SpeakingVoice``
text       ``Dialogue``, ``Line``, ``Text``, ``SpokenDialogue``
cue        ``Direction``, ``Context``, ``VoiceActorDirection``, ``StageDirections``, ``Mood``,
           ``Tone`` (free text: used where the natural-language controller understands it)
emotion    ``emotion`` (emostudio's column: a description, numbers or ``auto``; it must be
           understood)
file       ``Filename``, ``AudioFileName`` (the take's folder is named after its stem)
=========  ==================================================================================

A ``character`` column beside another speaker column (``Speaker``, ``Actor``) names the
character who performs the line; alone, it is the speaker (a built-in character's name, such as
``mara`` in emostudio's own ``id,text,emotion,character`` CSV, is that character, and so is a
character file, ``hero.yaml``, relative to the script).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from controllers.dialogue.line import Dialogue, DialogueLine
from controllers.dialogue.source import read_text
from controllers.errors import InputError

COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("lineid", "id", "identifier", "entrytag"),
    "speaker": ("speaker", "actor", "speakingvoice", "character"),
    "text": ("dialogue", "spokendialogue", "text", "line"),
    "cue": ("direction", "voiceactordirection", "stagedirections", "context", "mood", "tone"),
    "emotion": ("emotion",),
    "file": ("filename", "audiofilename"),
}
#: Rows searched for the header.
HEADER_ROWS = 10
#: Most rows read from a workbook.
MAX_ROWS = 100_000


def _norm(name) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name or "").lower())


def _layout(header: list) -> dict[str, int | list[int]] | None:
    """Column roles -> column indices (``cue``: every cue column, in order), or None when the
    row names no text column."""
    names = [_norm(h) for h in header]
    found: dict[str, int | list[int]] = {}
    for role, accepted in COLUMNS.items():
        hits = [names.index(a) for a in accepted if a in names]
        if role == "cue":
            found[role] = sorted(hits)
        elif hits:
            found[role] = hits[0]
    if "text" not in found:
        return None
    speaker = found.get("speaker")
    if speaker is not None and names[speaker] != "character" and "character" in names:
        found["character"] = names.index("character")  # Speaker/Actor speaks; Character performs
    return found


def _cell(cells: list, index) -> str:
    if index is None or index >= len(cells) or cells[index] is None:
        return ""
    value = cells[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _entries(path: Path, rows) -> list[DialogueLine]:
    """Lines from ``(row number, cells)`` pairs."""
    layout, header, lines = None, [], []
    for n, cells in rows:
        if layout is None:
            if not any(str(c or "").strip() for c in cells):
                continue
            if not header:
                header = [str(c or "").strip() for c in cells]
                first_row = n
            layout = _layout(cells)
            if layout is None:
                if n - first_row >= HEADER_ROWS - 1:
                    break
                continue
            columns = len(cells)
            continue
        if not any(str(c or "").strip() for c in cells):
            continue
        k = len(lines) + 1
        problem = (f"more cells than the header's {columns} columns (quote text that "
                   "contains commas)") if len(cells) > columns and any(
            str(c or "").strip() for c in cells[columns:]) else None
        speaker = _cell(cells, layout.get("speaker")).strip()
        character = _cell(cells, layout.get("character")).strip()
        if "character" not in layout and speaker.lower().endswith((".yaml", ".yml")):
            character, speaker = speaker, ""  # emostudio's column naming a character file
        emotion = _cell(cells, layout.get("emotion")).strip()
        lines.append(DialogueLine(
            _cell(cells, layout["text"]), f"{path}:{n}", speaker=speaker.strip() or None,
            id=_cell(cells, layout.get("id")).strip() or f"line-{k:03d}",
            cues=tuple(c for c in (_cell(cells, i).strip() for i in layout["cue"]) if c),
            emotion=emotion or None, character=character.strip() or None,
            filename=_cell(cells, layout.get("file")).strip() or None, problem=problem))
    if layout is None:
        found = ",".join(header) or "nothing"
        raise InputError(f"{path}:{first_row if header else 1}: a script table needs a header "
                         "with id,text[,emotion] columns (or a VO sheet's Line ID, Character, "
                         f"Dialogue, Direction, Filename columns); found {found}")
    return lines


def csv_rows(path: Path, content: str, delimiter: str = ","):
    """``(line number where the row starts, cells)`` of each CSV row; a malformed row (a quote
    never closed, text after a closing quote) raises InputError naming the line it starts on."""
    reader = csv.reader(io.StringIO(content), strict=True, delimiter=delimiter)
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


def read_csv(path: Path) -> Dialogue:
    return Dialogue(_entries(path, csv_rows(path, read_text(path))), format="csv")


def read_tsv(path: Path) -> Dialogue:
    return Dialogue(_entries(path, csv_rows(path, read_text(path), "\t")), format="tsv")


def read_xlsx(path: Path) -> Dialogue:
    """The first worksheet with a header (openpyxl, values as last calculated)."""
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError(f"{path}: not an .xlsx workbook ({exc})") from None
    try:
        error = None
        for sheet in book.worksheets:
            rows = ((n, list(cells)) for n, cells in
                    enumerate(sheet.iter_rows(values_only=True, max_row=MAX_ROWS), 1))
            try:
                return Dialogue(_entries(path, rows), format="xlsx")
            except InputError as exc:
                error = error or exc
        raise error or InputError(f"{path}: the workbook has no worksheet")
    finally:
        book.close()
