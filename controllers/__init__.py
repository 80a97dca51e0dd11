"""Emotion controls: the emotion model and the controllers that turn text into it.

The lowest floor of the studio: it imports nothing from ``synth`` or ``studio``.

- :mod:`controllers.target`: ``EmotionTarget``, ``EmotionPlan`` (the contracts);
- :func:`parse_description`: an English description -> targets, explained;
- :func:`plan_for` / :func:`target_for`: any accepted emotion form -> a plan / a target;
- :func:`load_script`: .txt / .csv / .yaml scripts -> ``ScriptLine``s with stable ids.
"""

from controllers.errors import InputError
from controllers.parse import ParseResult, parse_description
from controllers.resolve import parse_emotion, plan_for, target_for
from controllers.script import ScriptLine, load_script
from controllers.target import CATEGORIES, EmotionPlan, EmotionSegment, EmotionTarget

__all__ = ["CATEGORIES", "EmotionPlan", "EmotionSegment", "EmotionTarget", "InputError",
           "ParseResult", "ScriptLine", "load_script", "parse_description", "parse_emotion",
           "plan_for", "target_for"]
