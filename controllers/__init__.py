"""Emotion controls: the emotion model and the controllers that turn text into it.

The lowest floor of the studio: it imports nothing from ``synth`` or ``studio``.

- :mod:`controllers.target`: ``EmotionTarget``, ``EmotionPlan`` (the contracts);
- :func:`parse_description`: an English description -> targets, explained;
- :func:`plan_for` / :func:`target_for`: any accepted emotion form -> a plan / a target;
- :func:`load_script`: scripts (.txt / .csv / .yaml, and writers' dialogue files: Yarn, Ink,
  Fountain, Ren'Py, articy:draft, VO spreadsheets, :mod:`controllers.dialogue`) ->
  ``ScriptLine``s with stable ids, speakers and characters;
- :mod:`controllers.character` / :mod:`controllers.cast`: the ``Character`` contract and the cast;
- :mod:`controllers.ssml`: SSML documents -> a plan with speech directions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from controllers.lazy import exported_names, lazy_getattr

if TYPE_CHECKING:
    from controllers.errors import InputError
    from controllers.parse import ParseResult, parse_description
    from controllers.resolve import parse_emotion, plan_for, target_for
    from controllers.script import ScriptLine, load_script
    from controllers.target import CATEGORIES, EmotionPlan, EmotionSegment, EmotionTarget

_EXPORTS = {
    "controllers.errors": ("InputError",),
    "controllers.parse": ("ParseResult", "parse_description"),
    "controllers.resolve": ("parse_emotion", "plan_for", "target_for"),
    "controllers.script": ("ScriptLine", "load_script"),
    "controllers.target": ("CATEGORIES", "EmotionPlan", "EmotionSegment", "EmotionTarget"),
}

__all__ = exported_names(_EXPORTS)
# Lazy, so that `from controllers.errors import InputError` (every floor, every CLI command)
# does not compile the parser's lexicon and regular expressions.
__getattr__ = lazy_getattr(__name__, _EXPORTS)
