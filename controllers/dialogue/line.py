"""What every dialogue reader gives back: the lines of a scene, as the writer wrote them.

A reader only reads: it finds each spoken line's text, speaker, id and the writer's cues
(tags, parentheticals, image attributes, directions) and says where in the file it was. Turning
cues into emotions, speakers into characters and text into a plan is
:func:`controllers.script.load_script`'s, the same for every format.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DialogueLine:
    """One spoken line of a scene, as written."""

    text: str
    """What is said. Writer formats give it without their markup; emostudio's own ``.txt``,
    ``.csv`` and ``.yaml`` keep inline ``[emotion]`` tags."""
    where: str
    """``FILE:LINE`` (a spreadsheet's row number, a JSON file's line of the entry)."""
    speaker: str | None = None
    """Who says it as the script names them (``"Mara"``); None for narration."""
    id: object = None
    """The script's id of the line (``#line:dock01``, Ren'Py ``id``, a ``Line ID`` cell), or
    None (an id is then made from the line number). Checked later, so any value."""
    cues: tuple[str, ...] = ()
    """The writer's free-form emotion cues, in order: tags (``angry`` from ``#mood:angry``),
    parentheticals, image attributes, directions. Only those the natural-language controller
    understands are used; the others (``beat``, ``V.O.``, ``to Sam``) are not about emotion."""
    emotion: object = None
    """An explicit emotion cell (a ``.csv``/``.yaml`` ``emotion``, a ``.txt`` ``# default:``):
    a description, ``auto``, or a mapping of numbers; it must be understood."""
    character: str | None = None
    """A character the script itself names for the line (a ``character`` column beside a
    speaker column): a built-in name or a character file."""
    filename: str | None = None
    """The audio file name a VO spreadsheet asks for (``Filename`` column), or None."""
    problem: str | None = None
    """What is wrong with the line as read (it is then reported, not performed), or None."""


@dataclass(frozen=True)
class Dialogue:
    """A scene as read from one file."""

    lines: list[DialogueLine]
    """The spoken lines, in file order."""
    sexes: dict[str, str] = field(default_factory=dict)
    """Speaker -> ``"female"``/``"male"`` where the script says it (an articy entity's sex)."""
    format: str = ""
    """The reader that read it (:data:`controllers.dialogue.FORMATS`)."""
