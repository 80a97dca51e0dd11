"""Any accepted form of an emotion -> an :class:`EmotionTarget` or an :class:`EmotionPlan`.

The CLI, the UI and the batch runner accept an emotion as a description ("a little sad"), a
target, a plan, a ``(valence, arousal[, dominance])`` tuple, or ``"auto"``; these two functions
are the one place that turns each into what the synthesis stages take.
"""

from __future__ import annotations

from typing import Union

from controllers.errors import InputError
from controllers.inline import AUTO, plan_line
from controllers.numbers import finite_number
from controllers.parse import parse_description
from controllers.target import EmotionPlan, EmotionTarget

Emotion = Union[str, EmotionTarget, EmotionPlan, tuple, list, None]


def _from_tuple(values) -> EmotionTarget:
    if not 2 <= len(values) <= 3:
        raise InputError(f"an emotion tuple is (valence, arousal[, dominance]); got {values!r}")
    numbers = [finite_number(name, x, -1.0, 1.0)
               for name, x in zip(("valence", "arousal", "dominance"), values)]
    return EmotionTarget.from_vad(*numbers)


def target_for(emotion: Emotion) -> EmotionTarget:
    """One target: a description's first phase, a plan's main target, a tuple, None = neutral.
    ``"auto"`` needs the text: use :func:`plan_for`."""
    if emotion is None:
        return EmotionTarget.neutral()
    if isinstance(emotion, EmotionTarget):
        return emotion
    if isinstance(emotion, EmotionPlan):
        return emotion.main_target
    if isinstance(emotion, (tuple, list)):
        return _from_tuple(emotion)
    if isinstance(emotion, str):
        if emotion.strip().lower() == AUTO:
            raise InputError("'auto' infers the emotion from the text; give the text too")
        return parse_description(emotion).target
    raise InputError(f"cannot read an emotion from {type(emotion).__name__}; give a description, "
                     "(valence, arousal[, dominance]) or an EmotionTarget")


def plan_for(text: str, emotion: Emotion = None) -> EmotionPlan:
    """The plan for speaking ``text`` (which may hold inline ``[tags]``) with ``emotion`` as the
    default: a description (its phases spread over the text, or ``"auto"``), a target, a tuple,
    or a ready plan (returned as it is; its text must equal ``text`` without tags).

    Whitespace in the plan's text is normalised. A description nothing in it is understood
    ("asdf") is an :class:`InputError` here, unlike :func:`parse_description`, which reads it
    as neutral with ``recognized=False``: a performance should not silently drop a typo.
    """
    if isinstance(emotion, EmotionPlan):
        return emotion
    if isinstance(emotion, (tuple, list)):
        emotion = _from_tuple(emotion)
    if isinstance(emotion, str) and not emotion.strip():
        emotion = None
    if emotion is not None and not isinstance(emotion, (str, EmotionTarget)):
        raise InputError(f"cannot read an emotion from {type(emotion).__name__}; give a "
                         "description, (valence, arousal[, dominance]), an EmotionTarget or an "
                         "EmotionPlan")
    return plan_line(text, emotion)


def parse_emotion(emotion: Emotion, text: str | None = None) -> EmotionTarget | EmotionPlan:
    """The plan for ``text`` when it is given (:func:`plan_for`), else one target
    (:func:`target_for`); the name the synthesis CLIs call."""
    return plan_for(text, emotion) if text is not None else target_for(emotion)
