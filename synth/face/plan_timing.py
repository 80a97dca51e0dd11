"""When each segment of an :class:`EmotionPlan` is in force, in seconds of the take.

A plan's segments start at character offsets of its text; the timeline's words carry their
character offsets (``Word.char_start``) and times, so a segment begins where its first word
is spoken. Without character offsets (the audio-only path) the offsets are spread over the
speech in proportion. The face changes expression a little before the word (expressions lead
speech), over a smooth transition.
"""

from __future__ import annotations

import numpy as np

from controllers.target import EmotionPlan
from synth.contracts import Timeline
from synth.face.ramps import smoothstep

#: Duration of the cross-fade between two segments' expressions, in seconds.
TRANSITION_S = 0.5
#: How far before the first word of a new segment the cross-fade is centred, in seconds.
LEAD_S = 0.15


def segment_start_times(timeline: Timeline, plan: EmotionPlan) -> list[float]:
    """Onset in seconds of each segment of ``plan`` (the first is always 0)."""
    words = [w for w in timeline.words if w.char_start >= 0]
    speech_start = timeline.words[0].start if timeline.words else 0.0
    speech_end = timeline.words[-1].end if timeline.words else timeline.duration
    starts = [0.0]
    for seg in plan.segments[1:]:
        later = [w for w in words if w.char_start >= seg.start]
        if later:
            starts.append(float(later[0].start))
        elif words:  # the segment starts after the last word with an offset
            starts.append(float(words[-1].end))
        else:
            frac = seg.start / max(len(plan.text), 1)
            starts.append(float(speech_start + frac * (speech_end - speech_start)))
    return starts


def segment_weights(timeline: Timeline, plan: EmotionPlan, times: np.ndarray) -> np.ndarray:
    """(frames, segments) float weights in [0, 1], rows summing to 1: how much each segment's
    emotion is in force at each time, with smoothstep cross-fades of :data:`TRANSITION_S`."""
    n = len(plan.segments)
    weights = np.zeros((times.size, n))
    if n == 1:
        weights[:, 0] = 1.0
        return weights
    starts = segment_start_times(timeline, plan)
    # progress[k] goes 0 -> 1 across the boundary into segment k
    progress = np.ones((times.size, n))
    for k in range(1, n):
        centre = starts[k] - LEAD_S
        progress[:, k] = smoothstep((times - (centre - TRANSITION_S / 2)) / TRANSITION_S)
    for k in range(n):
        nxt = progress[:, k + 1] if k + 1 < n else 0.0
        weights[:, k] = np.clip(progress[:, k] - nxt, 0.0, 1.0)
    weights /= np.maximum(weights.sum(axis=1, keepdims=True), 1e-9)
    return weights
