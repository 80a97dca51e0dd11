"""Emotion -> movement quality (effort) and posture for the body.

Dimensions first (after the body-expression literature: Wallbott 1998, "Bodily expression of
emotion"; Dael, Mortillaro & Scherer 2012; Laban effort as used for virtual agents by Chi et al.
2000, EMOTE):

- arousal: amplitude, speed and frequency of gestures (more, larger, faster when aroused);
- valence: openness (hands apart, palms up), chest and head up when pleasant, down when not;
- dominance: expansiveness (space taken, elbows out) and stillness (fewer idle movements).

Then category touches, scaled by the target's intensity: fear raises the shoulders and keeps the
arms close; sadness lowers the head, slumps the chest and slows everything; anger sharpens
strokes and leans forward with palms down; happiness opens up and bounces; surprise lifts head
and shoulders; disgust leans back and turns the head away; calm slows and smooths.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from controllers.character import PerformanceStyle
from controllers.target import EmotionTarget


@dataclass(frozen=True)
class GestureStyle:
    """How a body moves for one emotion. Neutral values are the defaults."""

    amplitude: float = 1.0
    """Scale of gesture excursions (stroke length, beat depth); 1 = neutral."""
    speed: float = 1.0
    """Tempo factor: preparation, stroke and retraction durations are divided by it."""
    beat_rate: float = 0.45
    """Probability, 0..1, that an accent other than the focus gets a beat gesture."""
    openness: float = 0.5
    """0..1: how far apart the hands work and how much the palms turn up."""
    expansiveness: float = 1.0
    """Scale of the gesture space's width and of the elbows' distance from the body."""
    stillness: float = 0.5
    """0..1: 1 suppresses idle motion (sway, weight shifts), 0 doubles it."""
    chest_flex: float = 0.0
    """Degrees of upper-trunk flexion: positive slumps, negative lifts the chest."""
    lean: float = 0.0
    """Degrees of whole-trunk lean from the hips: positive forward."""
    head_pitch: float = 0.0
    """Degrees of head pitch: positive down."""
    head_turn: float = 0.0
    """Degrees of head yaw away from the listener (disgust)."""
    shoulder_raise: float = 0.0
    """Degrees the clavicles are shrugged up."""
    arm_closeness: float = 0.3
    """0..1: how close the elbows stay to the trunk."""
    sharpness: float = 0.3
    """0..1: short, abrupt strokes with longer holds (1) versus smooth, sustained ones (0)."""
    bounce: float = 0.0
    """0..1: vertical rebound on beats and a light bob of the body (happiness)."""
    palm_up: float = 0.0
    """-1..1: forearm supination bias, + palms up (offering), - palms down (asserting)."""
    breath_rate: float = 0.22
    """Breathing frequency in Hertz."""
    head_beat: float = 2.5
    """Degrees of the head's small nod on accents."""


def with_performance(style: GestureStyle, performance: PerformanceStyle | None) -> GestureStyle:
    """``style`` as a character performs it: its gesture amplitude and tempo multiply the
    emotion's amplitude and speed, its head motion the head's nods (None: ``style`` as is)."""
    if performance is None:
        return style
    return replace(style, amplitude=style.amplitude * performance.gesture_amplitude,
                   speed=style.speed * performance.gesture_tempo,
                   head_beat=style.head_beat * performance.head_motion)


def _clip(x: float, lo: float, hi: float) -> float:
    return float(np.clip(x, lo, hi))


def style_for(target: EmotionTarget | None) -> GestureStyle:
    """The movement style for an emotion target (None: neutral)."""
    if target is None:
        return GestureStyle()
    v, a, d = target.valence, target.arousal, target.dominance
    style = GestureStyle(
        amplitude=_clip(1.0 + 0.55 * a + 0.1 * v, 0.3, 1.8),
        speed=_clip(1.0 + 0.4 * a, 0.5, 1.5),
        beat_rate=_clip(0.45 + 0.45 * a, 0.05, 0.95),
        openness=_clip(0.5 + 0.3 * v + 0.15 * d, 0.0, 1.0),
        expansiveness=_clip(1.0 + 0.25 * d + 0.1 * a, 0.6, 1.4),
        stillness=_clip(0.5 + 0.35 * d - 0.15 * a, 0.0, 1.0),
        chest_flex=-4.0 * v - 3.0 * d,
        head_pitch=-5.0 * v - 3.0 * d,
        arm_closeness=_clip(0.3 - 0.3 * d, 0.0, 1.0),
        sharpness=_clip(0.3 + 0.35 * a, 0.0, 1.0),
        palm_up=_clip(0.4 * v - 0.3 * d, -1.0, 1.0),
        breath_rate=_clip(0.22 + 0.1 * a, 0.12, 0.35),
        head_beat=_clip(2.5 + 1.5 * a, 0.5, 5.0),
    )
    if target.category and target.category != "neutral":
        style = _category_touch(style, target.category, float(target.intensity))
    return style


def _category_touch(s: GestureStyle, category: str, k: float) -> GestureStyle:
    """Category-specific posture and effort, blended in by intensity ``k`` (0..1)."""
    if category == "fear":
        return replace(s, shoulder_raise=s.shoulder_raise + 10 * k,
                       arm_closeness=_clip(s.arm_closeness + 0.5 * k, 0, 1),
                       expansiveness=s.expansiveness * (1 - 0.35 * k),
                       head_pitch=s.head_pitch + 3 * k, stillness=s.stillness * (1 - 0.5 * k),
                       lean=s.lean - 3 * k)
    if category == "sadness":
        return replace(s, head_pitch=s.head_pitch + 12 * k, chest_flex=s.chest_flex + 8 * k,
                       speed=s.speed * (1 - 0.35 * k), amplitude=s.amplitude * (1 - 0.35 * k),
                       beat_rate=s.beat_rate * (1 - 0.4 * k), sharpness=s.sharpness * (1 - k),
                       openness=s.openness * (1 - 0.4 * k))
    if category == "anger":
        return replace(s, sharpness=_clip(s.sharpness + 0.5 * k, 0, 1), lean=s.lean + 6 * k,
                       palm_up=_clip(s.palm_up - 0.5 * k, -1, 1),
                       amplitude=s.amplitude * (1 + 0.1 * k), stillness=s.stillness + 0.2 * k)
    if category == "happiness":
        return replace(s, openness=_clip(s.openness + 0.3 * k, 0, 1), bounce=0.7 * k,
                       palm_up=_clip(s.palm_up + 0.3 * k, -1, 1),
                       head_pitch=s.head_pitch - 3 * k)
    if category == "surprise":
        return replace(s, head_pitch=s.head_pitch - 5 * k,
                       shoulder_raise=s.shoulder_raise + 4 * k,
                       amplitude=s.amplitude * (1 + 0.2 * k),
                       openness=_clip(s.openness + 0.2 * k, 0, 1))
    if category == "disgust":
        return replace(s, head_turn=12 * k, lean=s.lean - 4 * k,
                       palm_up=_clip(s.palm_up - 0.3 * k, -1, 1),
                       arm_closeness=_clip(s.arm_closeness + 0.2 * k, 0, 1))
    if category == "calm":
        return replace(s, speed=s.speed * (1 - 0.15 * k), sharpness=s.sharpness * (1 - 0.6 * k),
                       stillness=_clip(s.stillness + 0.2 * k, 0, 1))
    return s
