"""Gesture planning: per phrase one gesture unit (preparation, stroke, hold, retraction) timed
on the speech, beats on other accents, head movements, and the rest between phrases.

The stroke ends on the vowel onset of the focus word's stressed syllable (McNeill's phonological
synchrony rule: the stroke precedes or ends on the most prominent syllable). Phase boundaries
snap to nearby vowel onsets so that the hand's velocity minima fall where the voice has onsets.
A unit whose next phrase starts soon retracts only part way ("home", hands low in front) or,
when the next stroke follows at once, not at all; otherwise the hands go back to rest by the
sides. A stroke that cannot land on its word (no time to prepare) is dropped, not delayed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from controllers.character import PerformanceStyle
from controllers.target import EmotionPlan, EmotionTarget
from synth.contracts import Timeline
from synth.gesture.lexicon import gesture_kind
from synth.gesture.phrases import Phrase, split_phrases, syllable_vowel_onsets
from synth.gesture.style import GestureStyle, style_for, with_performance

#: Kinds performed with both hands.
TWO_HANDED = frozenset(("big", "all", "small", "question"))
#: Shortest stroke, seconds.
MIN_STROKE = 0.15
#: A gap to the next unit longer than this (seconds) sends the hands back to rest.
REST_GAP = 1.4


@dataclass
class GestureUnit:
    """One gesture: hands leave rest (or home), stroke on the focus, hold, retract."""

    kind: str
    """A lexicon kind (:data:`synth.gesture.lexicon.KINDS`) or ``"plain"`` (metaphoric)."""
    hands: str
    """``"right"``, ``"left"`` or ``"both"``."""
    prep_start: float
    """Seconds: the hands start moving."""
    ready: float
    """Seconds: preparation done, the stroke may start (a velocity minimum)."""
    stroke_start: float
    """Seconds: the stroke begins."""
    stroke_end: float
    """Seconds: the stroke's apex, on the focus syllable's vowel onset."""
    hold_end: float
    """Seconds: the post-stroke hold ends."""
    retract_end: float
    """Seconds: the hands arrive at rest or home."""
    retract_to: str
    """``"rest"`` (arms down by the sides), ``"home"`` (hands low in front) or ``"none"`` (the
    next stroke follows at once, from where the hands are)."""
    style: GestureStyle
    """Effort and posture for this phrase's emotion."""
    beats: list[float] = field(default_factory=list)
    """Seconds: beat gestures (small down strokes) within the unit, on other accents."""
    item: int = 0
    """For ``"enumerate"``: how many enumerations came before in the take."""
    seed: int = 0
    """Per-unit random seed (variation of positions, never two identical repetitions)."""


@dataclass
class HeadMove:
    """A head gesture."""

    kind: str
    """``"nod"``, ``"shake"``, ``"beat"`` (small nod on an accent) or ``"tilt"``."""
    time: float
    """Seconds: centre (beat), start (nod, shake) or apex (tilt)."""
    amplitude: float
    """Degrees."""
    duration: float
    """Seconds."""


@dataclass
class GesturePlan:
    """Everything the motion synthesis needs, in seconds."""

    duration: float
    """Length of the speech, seconds."""
    phrases: list[Phrase]
    units: list[GestureUnit]
    head: list[HeadMove]
    postures: list[tuple[float, GestureStyle]]
    """(time, style) keys: the posture the body settles into from that time on."""
    onsets: np.ndarray
    """(k,) vowel onsets of all syllables, seconds (the planner's snapping grid)."""


def targets_for(plan_or_target: EmotionPlan | EmotionTarget | None, phrases: list[Phrase]
                ) -> list[EmotionTarget | None]:
    """The emotion in force at each phrase."""
    if isinstance(plan_or_target, EmotionPlan):
        return [plan_or_target.target_at(max(p.char_start, 0)) for p in phrases]
    return [plan_or_target] * len(phrases)


def _snap(t: float, onsets: np.ndarray, tolerance: float, lo: float, hi: float) -> float:
    """The onset nearest ``t`` inside [lo, hi] if within ``tolerance``, else ``t`` clipped."""
    inside = onsets[(onsets >= lo) & (onsets <= hi)]
    if len(inside):
        best = inside[np.argmin(np.abs(inside - t))]
        if abs(best - t) <= tolerance:
            return float(best)
    return float(np.clip(t, lo, hi))


def plan_gestures(timeline: Timeline, plan_or_target: EmotionPlan | EmotionTarget | None,
                  seed: int = 0, text: str | None = None,
                  performance: PerformanceStyle | None = None) -> GesturePlan:
    """Plan the gestures of one take.

    Parameters
    ----------
    timeline : the speech's timeline (words, syllables, phonemes, F0, energy).
    plan_or_target : the emotion (a plan changes it along the text), None for neutral.
    seed : variation seed; the same seed gives the same plan.
    text : the text the words' char offsets index (defaults to the plan's text).
    performance : the character's ways of moving (gesture amplitude and tempo multiply every
        emotion's style, :func:`~synth.gesture.style.with_performance`); None: the studio's.
    """
    if text is None and isinstance(plan_or_target, EmotionPlan):
        text = plan_or_target.text
    rng = np.random.default_rng(seed)
    phrases = split_phrases(timeline, text)
    targets = targets_for(plan_or_target, phrases)
    styles = [with_performance(style_for(t), performance) for t in targets]
    onsets = np.array(sorted(syllable_vowel_onsets(timeline).values()), dtype=np.float64)
    duration = float(timeline.duration)
    speech_end = timeline.words[-1].end if timeline.words else duration

    units: list[GestureUnit] = []
    head: list[HeadMove] = []
    postures = [(0.0, styles[0] if styles else with_performance(style_for(None), performance))]
    enumerations = 0
    free_from = 0.0  # the hands are busy until then
    for i, (phrase, style) in enumerate(zip(phrases, styles)):
        if i > 0 and style != styles[i - 1]:
            postures.append((max(phrase.start - 0.4, 0.0), style))
        if phrase.focus is None:
            continue
        focus, kind = phrase.focus, phrase.focus_kind or "plain"
        hurried = False
        if phrase.focus_kind is not None and 0.3 <= focus.time - free_from < 0.5:
            hurried = True  # a meaningful word right at the start: prepare and stroke in one go
        elif focus.time - free_from < 0.5:  # no room to prepare: take a later accent if any
            later = [a for a in phrase.accents if a.time - free_from >= 0.5]
            if later:
                focus = max(later, key=lambda a: a.strength)
                kind = gesture_kind(timeline.words[focus.word].text) or (
                    "question" if phrase.is_question else "plain")
        speed = style.speed
        stroke = float(np.clip(0.3 / speed * (1.0 - 0.35 * style.sharpness), 0.12, 0.6))
        prep = float(np.clip(0.42 / speed, 0.22, 0.85))
        hold = float(np.clip((0.2 + 0.4 * style.sharpness) / speed, 0.12, 0.8))
        retract = float(np.clip(0.6 / speed, 0.35, 1.1))

        if hurried:
            stroke = 0.45 * (focus.time - free_from)
            prep = 0.55 * (focus.time - free_from)
        apex = focus.time
        first = phrase.accents[0]
        beats_before = style.beat_rate >= 0.3  # aroused enough to beat before the stroke
        if first is focus or first.time > apex - stroke - 0.15 or not beats_before:
            ready = _snap(apex - stroke, onsets, 0.15, apex - 1.7 * stroke, apex - 0.6 * stroke)
            stroke_start = ready
        else:
            ready = first.time
            stroke_start = _snap(apex - stroke, onsets, 0.15, max(ready + 0.1, apex - 1.7 * stroke),
                                 apex - 0.6 * stroke)
        # Too early in the take or right after the previous unit: prepare for at least
        # ``min_prep`` and reach the ready pose on an onset; compress the stroke, never reorder.
        min_prep = 0.75 * prep if not hurried else prep
        if ready < free_from + min_prep:
            ready = _snap(free_from + min_prep, onsets, 0.3, free_from + min_prep,
                          max(apex - 0.1, free_from + min_prep))
        # Strokes last at least MIN_STROKE s; the ready pose comes at least 0.1 s after the
        # hands are free (a hurried preparation rather than a jump).
        stroke_start = min(max(stroke_start, ready), apex - MIN_STROKE)
        ready = min(ready, stroke_start)
        if ready < free_from + 0.1:
            ready = stroke_start = max(free_from + 0.1, apex - MIN_STROKE)
        apex = max(apex, stroke_start + MIN_STROKE)
        if apex > focus.time + 0.12 or apex > speech_end + 0.1:
            continue  # the stroke would land off its word: better no gesture than a late one
        earliest = max(free_from, 0.0)
        prep_start = _snap(ready - prep, onsets, 0.12, earliest, max(ready - 0.15, earliest))

        # Between the ready pose and the stroke the hand beats on every accent (it is up and
        # waiting); after the stroke, beats on later accents with the style's rate.
        beat_prob = style.beat_rate
        beats = [a.time for a in phrase.accents
                 if a is not focus and ready + 0.12 < a.time < stroke_start - 0.12]
        later = [a.time for a in phrase.accents if a.time > apex + 0.2]
        beats += [t for t in later if rng.random() < beat_prob]
        # The take ends with the hands back at rest: no hold or beat past that.
        last_hold = max(min(duration - 0.6 * retract, speech_end + 0.15), apex + 0.1)
        next_focus = _next_focus(phrases, i)
        if next_focus is not None:  # leave time to stroke again on the next phrase's focus
            last_hold = min(last_hold, max(apex + 0.1, next_focus - MIN_STROKE - 0.2))
        beats = [t for t in beats if t < last_hold - 0.2]
        hold_end = apex + hold
        if beats and beats[-1] > apex:
            hold_end = max(hold_end, beats[-1] + 0.2)
        hold_end = _snap(min(hold_end, last_hold), onsets, 0.25, apex + 0.12, last_hold)

        next_start = _next_unit_start(phrases, i, styles)
        gap = (next_start if next_start is not None else duration + REST_GAP + 1) - hold_end
        retract_to = "rest" if gap > REST_GAP else "home"
        retract = retract if retract_to == "rest" else 0.7 * retract
        latest = max(min(hold_end + 1.4 * retract, duration), hold_end + 0.2)
        if next_start is not None:
            latest = min(latest, max(next_start - 0.05, hold_end + 0.2))
        retract_end = _snap(hold_end + retract, onsets, 0.15,
                            min(hold_end + 0.6 * retract, latest), latest)
        if next_focus is not None and next_focus - hold_end < 0.7:
            retract_to, retract_end = "none", hold_end  # straight on to the next stroke
        free_from = retract_end

        if kind in TWO_HANDED or (kind == "plain" and style.amplitude > 1.25
                                  and rng.random() < 0.5):
            hands = "both"
        else:
            hands = "right" if rng.random() < 0.7 else "left"
        if kind == "enumerate":
            enumerations += 1
        units.append(GestureUnit(
            kind=kind, hands=hands, prep_start=prep_start, ready=ready, stroke_start=stroke_start,
            stroke_end=apex, hold_end=hold_end, retract_end=retract_end, retract_to=retract_to,
            style=style, beats=beats, item=enumerations - 1 if kind == "enumerate" else 0,
            seed=int(rng.integers(2**31))))

        head.append(HeadMove("beat", apex, style.head_beat * 1.4, 0.22 / speed))
        head += [HeadMove("beat", t, style.head_beat, 0.18 / speed) for t in beats]
        if kind == "affirm":
            head.append(HeadMove("nod", apex - 0.1, 7.0 * style.amplitude ** 0.5, 0.9 / speed))
        elif kind == "negation":
            head.append(HeadMove("shake", apex - 0.1, 9.0 * style.amplitude ** 0.5, 1.0 / speed))
        elif phrase.is_question:
            head.append(HeadMove("tilt", phrase.end, 6.0, max(phrase.end - phrase.start, 0.6)))
    return GesturePlan(duration=duration, phrases=phrases, units=units, head=head,
                       postures=postures, onsets=onsets)


def _next_unit_start(phrases: list[Phrase], i: int, styles: list[GestureStyle]) -> float | None:
    """Roughly when the next phrase with a gesture starts preparing, or None."""
    for phrase, style in zip(phrases[i + 1:], styles[i + 1:]):
        if phrase.focus is not None:
            first = phrase.accents[0].time
            return first - float(np.clip(0.42 / style.speed, 0.22, 0.85)) - 0.1
    return None


def _next_focus(phrases: list[Phrase], i: int) -> float | None:
    """Time of the next phrase's focus accent, or None."""
    for phrase in phrases[i + 1:]:
        if phrase.focus is not None:
            return phrase.focus.time
    return None
