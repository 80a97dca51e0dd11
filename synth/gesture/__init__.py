"""Co-speech gestures: speech timeline + emotion -> body animation on the avatar's Mixamo rig.

>>> from synth.gesture import animate_body
>>> body = animate_body(speech.timeline, target, seed=0, fps=30)   # -> synth.contracts.BodyAnimation

Modules, in pipeline order: ``phrases`` (phrases, accents, focus), ``lexicon`` (gesture-bearing
words), ``style`` (emotion -> effort and posture), ``planner`` (gesture units, beats, head moves),
``motion`` (keyframed channels, idle motion), ``solver`` (IK, hands, legs, joint limits) on
``rig`` (skeleton geometry), ``limits``, ``ik`` and ``torso``; ``generator`` ties them together;
``checks`` measures plausibility and ``beats`` beat consistency.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from controllers.lazy import exported_names, lazy_getattr

if TYPE_CHECKING:
    from synth.gesture.generator import animate_body, frame_count
    from synth.gesture.planner import GesturePlan, plan_gestures
    from synth.gesture.rig import BodyRig
    from synth.gesture.style import GestureStyle, style_for

_EXPORTS = {
    "synth.gesture.generator": ("animate_body", "frame_count"),
    "synth.gesture.planner": ("GesturePlan", "plan_gestures"),
    "synth.gesture.rig": ("BodyRig",),
    "synth.gesture.style": ("GestureStyle", "style_for"),
}

__all__ = exported_names(_EXPORTS)
__getattr__ = lazy_getattr(__name__, _EXPORTS)
