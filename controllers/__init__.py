"""Emotion controls: the emotion model and the controllers that turn text into it.

The lowest floor of the studio: it imports nothing from ``synth`` or ``studio``.
"""

from controllers.errors import InputError
from controllers.target import CATEGORIES, EmotionPlan, EmotionSegment, EmotionTarget

__all__ = ["CATEGORIES", "EmotionPlan", "EmotionSegment", "EmotionTarget", "InputError"]
