"""``animate_body``: speech timeline + emotion -> co-speech body animation on the avatar's rig.

    plan_gestures (phrases, focus, lexicon, style)  ->  GesturePlan
    build_curves  (keyframes, beats, idle motion)    ->  MotionCurves
    BodySolver    (IK, hands, legs, joint limits)    ->  rotations, root

Example
-------
>>> from synth.tts import Voice
>>> from controllers.target import EmotionTarget
>>> speech = Voice.load().synthesize("I never said that.")
>>> body = animate_body(speech.timeline, EmotionTarget.from_category("anger", 0.8), seed=1)
>>> body.rotations.shape            # (frames, 52, 4) xyzw, frames = ceil(duration * 30) + 1
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from controllers.character import AvatarSpec, Character
from controllers.errors import InputError
from controllers.target import EmotionPlan, EmotionTarget
from synth.contracts import BodyAnimation, FaceAnimation, Speech, Timeline
from synth.gesture.motion import build_curves
from synth.gesture.planner import GesturePlan, plan_gestures
from synth.gesture.rig import BodyRig
from synth.gesture.solver import BodySolver


def frame_count(duration: float, fps: float) -> int:
    """Frames covering ``duration`` seconds at ``fps``: ``ceil(duration * fps) + 1`` (frame ``i``
    at ``i / fps``; the last frame is at or just past the end, as the face animation does)."""
    return int(math.ceil(round(duration * fps, 6))) + 1


@lru_cache(maxsize=8)   # one per character's rig in use
def _solver(rig: BodyRig) -> BodySolver:
    return BodySolver(rig)


def default_rig(spec: AvatarSpec | None = None) -> BodyRig:
    """The skeleton of a character's avatar (None: the default avatar's), loaded once per spec."""
    return _rig(AvatarSpec() if spec is None else spec)


@lru_cache(maxsize=8)
def _rig(spec: AvatarSpec) -> BodyRig:
    return BodyRig.load(spec)


def _resample_head(face: FaceAnimation, fps: float, n: int) -> np.ndarray:
    """(n, 3) the face animation's head yaw/pitch/roll at ``fps``."""
    t_face = np.arange(face.frames) / face.fps
    t = np.arange(n) / fps
    return np.stack([np.interp(t, t_face, face.head[:, k]) for k in range(3)], axis=1)


def animate_body(timeline: Timeline | Speech,
                 plan_or_target: EmotionPlan | EmotionTarget | None = None,
                 seed: int = 0, fps: float = 30.0, *, text: str | None = None,
                 rig: BodyRig | None = None, face: FaceAnimation | None = None,
                 plan: GesturePlan | None = None,
                 character: Character | None = None) -> BodyAnimation:
    """Co-speech body animation for one take.

    Parameters
    ----------
    timeline : what was said when (a :class:`~synth.contracts.Speech` is accepted too).
    plan_or_target : the emotion: an :class:`EmotionPlan` (may change along the text), an
        :class:`EmotionTarget`, or None (neutral).
    seed : variation seed; the same inputs and seed give the same animation.
    fps : frames per second of the result (30 by default).
    text : the text the words' ``char_start`` offsets index, for punctuation (defaults to the
        plan's text).
    rig : the skeleton (defaults to the character's avatar's Mixamo rig).
    face : the take's face animation; when given, the neck and head follow its head curves so
        that body and face agree.
    plan : a gesture plan made earlier by :func:`~synth.gesture.planner.plan_gestures`.
    character : who performs: its avatar's skeleton (offsets scale with its height) and its
        :class:`~controllers.character.PerformanceStyle` (gesture amplitude and tempo multiply
        the emotion's, head motion its nods); None is the studio's default avatar and style.

    Returns
    -------
    BodyAnimation with ``ceil(duration * fps) + 1`` frames: local rotations relative to the rest
    pose (quaternions xyzw) for every joint and the root's absolute position in cm.
    """
    if isinstance(timeline, Speech):
        timeline = timeline.timeline
    if not isinstance(timeline, Timeline):
        raise InputError(f"animate_body needs a Timeline or Speech, got {type(timeline).__name__}")
    if not (np.isfinite(timeline.duration) and timeline.duration > 0):
        raise InputError(f"the timeline's duration {timeline.duration!r} must be positive seconds")
    if not (np.isfinite(fps) and 1.0 <= fps <= 240.0):
        raise InputError(f"fps {fps!r} is outside the accepted range 1..240")
    if plan_or_target is not None and not isinstance(plan_or_target, (EmotionPlan, EmotionTarget)):
        raise InputError("the emotion must be an EmotionPlan, an EmotionTarget or None, "
                         f"got {type(plan_or_target).__name__}")
    if character is not None and not isinstance(character, Character):
        raise InputError(f"character must be a Character, got {type(character).__name__}")
    rig = rig or default_rig(character.avatar if character is not None else None)
    n = frame_count(timeline.duration, fps)
    if plan is None:
        plan = plan_gestures(timeline, plan_or_target, seed=seed, text=text,
                             performance=character.performance if character is not None else None)
    face_head = _resample_head(face, fps, n) if face is not None else None
    curves = build_curves(plan, rig, fps, n, seed=seed, face_head=face_head)
    rotations, root = _solver(rig).solve(curves)
    return BodyAnimation(fps=float(fps), joint_names=rig.joint_names,
                         parents=rig.parents.astype(np.int64),
                         offsets=rig.offsets.astype(np.float32),
                         rotations=rotations.astype(np.float32),
                         root_translation=root.astype(np.float32))
