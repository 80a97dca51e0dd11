"""The talking head: timeline + emotion -> ARKit-52 blendshape curves, visemes, head and eyes.

``animate_face(timeline, plan_or_target, seed=0, fps=60) -> FaceAnimation`` is the entry point;
the modules below it are one idea each: ``visemes`` (phonemes -> coarticulated visemes),
``lipsync`` (visemes -> mouth shapes, jaw and lip seals), ``expression`` (FACS emotion ->
ARKit), ``plan_timing`` (emotion plan -> seconds), ``nonverbal`` (blinks, gaze, head); ``ramps``
(the ease curves they share); ``performance`` (a character's blink rate, head motion and resting
expression: ``animate_face(..., character=)``). ``face_controls`` and ``expression_variants``
are the controls others (the critic loop) may set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from controllers.lazy import exported_names, lazy_getattr

if TYPE_CHECKING:
    from synth.face.animator import FaceConfig, animate_face
    from synth.face.controls import expression_variants, face_controls

_EXPORTS = {"synth.face.animator": ("FaceConfig", "animate_face"),
            "synth.face.controls": ("expression_variants", "face_controls")}

__all__ = exported_names(_EXPORTS)
__getattr__ = lazy_getattr(__name__, _EXPORTS)
