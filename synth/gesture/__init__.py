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

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from synth.gesture.generator import animate_body, frame_count
    from synth.gesture.planner import GesturePlan, plan_gestures
    from synth.gesture.rig import BodyRig
    from synth.gesture.style import GestureStyle, style_for

_EXPORTS = {
    "animate_body": "synth.gesture.generator",
    "frame_count": "synth.gesture.generator",
    "plan_gestures": "synth.gesture.planner",
    "GesturePlan": "synth.gesture.planner",
    "BodyRig": "synth.gesture.rig",
    "GestureStyle": "synth.gesture.style",
    "style_for": "synth.gesture.style",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:  # lazy: importing the package stays cheap
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'synth.gesture' has no attribute {name!r}")
