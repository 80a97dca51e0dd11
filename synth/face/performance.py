"""A character's ways of moving its face: blink rate, head-motion energy, resting expression.

:class:`~controllers.character.PerformanceStyle` holds them; :func:`performed_config` folds the
blink rate and head motion into the animator's :class:`~synth.face.animator.FaceConfig`, and
:func:`resting_weights` turns the resting expression into ARKit weights held underneath every
expression. The studio's default style changes nothing (the same curves as no character).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from controllers.character import Character
from controllers.errors import InputError
from synth.contracts import ARKIT_NAMES


def resting_weights(character: Character) -> np.ndarray:
    """(52,) float32 ARKit weights of ``character``'s resting expression in :data:`ARKIT_NAMES`
    order; :class:`InputError` naming the character for a name that is not an ARKit blendshape
    or a weight outside [0, 1]."""
    weights = np.zeros(len(ARKIT_NAMES), np.float32)
    for name, value in character.performance.resting_expression:
        if name not in ARKIT_NAMES:
            raise InputError(f"character {character.name!r}: {name!r} in resting_expression is "
                             "not an ARKit blendshape name (e.g. mouthSmileLeft, browInnerUp)")
        if not (np.isfinite(value) and 0.0 <= value <= 1.0):
            raise InputError(f"character {character.name!r}: resting_expression {name} {value!r} "
                             "is outside [0, 1]")
        weights[ARKIT_NAMES.index(name)] = float(value)
    return weights


def performed_config(config, character: Character):
    """A copy of ``config`` (a :class:`~synth.face.animator.FaceConfig`) with the character's
    blink rate (blinks per minute at neutral arousal) and its head motion multiplying the nods'
    and the slow drift's amplitude."""
    style = character.performance
    nonverbal = dataclasses.replace(
        config.nonverbal, blink_rate=float(style.blink_rate),
        nod_deg=config.nonverbal.nod_deg * style.head_motion,
        drift_deg=tuple(d * style.head_motion for d in config.nonverbal.drift_deg))
    return dataclasses.replace(config, nonverbal=nonverbal)
