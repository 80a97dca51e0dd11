"""The stretches of a take that perform one emotion each.

A line whose emotion changes (``"Thanks for coming. [angry] Now get out!"``) has one
:class:`controllers.target.EmotionSegment` per emotion, located by character offsets. The
critic judges each against its own target over the time the segment's words take; this module
turns the plan's character spans into time spans on a take's timeline and cuts the take's
streams (audio, face curves, body motion) to them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from controllers.target import EmotionPlan, EmotionTarget
from synth.contracts import BodyAnimation, FaceAnimation, Speech, Timeline


@dataclass(frozen=True)
class SegmentSpan:
    """Where one plan segment lies in a take."""

    index: int
    """Position of the segment in :attr:`EmotionPlan.segments`."""
    start_char: int
    """Character offset of the segment in the plan's text."""
    text: str
    """The segment's text."""
    target: EmotionTarget
    """What the segment must read as."""
    start: float
    """Seconds from the start of the take (boundaries between segments lie mid-pause)."""
    end: float
    """Seconds; the last segment ends with the take."""
    words: tuple[int, int]
    """(first, last + 1) indices into the timeline's words (first == last + 1: no words)."""

    @property
    def duration(self) -> float:
        return self.end - self.start

    def to_dict(self) -> dict:
        return {"index": self.index, "start_char": self.start_char, "text": self.text,
                "span": [round(self.start, 4), round(self.end, 4)],
                "target": self.target.to_dict()}


def _word_segments(plan: EmotionPlan, timeline: Timeline) -> list[int]:
    """The plan segment of each word of ``timeline`` (by ``char_start``; words without one, as
    from the audio-only path, are spread over the segments by the share of characters)."""
    starts = [s.start for s in plan.segments]
    words = timeline.words
    if words and all(w.char_start >= 0 for w in words):
        return [int(np.searchsorted(starts, w.char_start, side="right")) - 1 for w in words]
    length = max(len(plan.text), 1)
    return [int(np.searchsorted(starts, (k + 0.5) / max(len(words), 1) * length,
                                side="right")) - 1 for k in range(len(words))]


def segment_spans(plan: EmotionPlan, timeline: Timeline) -> list[SegmentSpan]:
    """The time span of each of the plan's segments on a take's ``timeline``.

    A segment runs from the midpoint of the pause before its first word to the midpoint of the
    pause after its last one (the first from 0 s, the last to the end of the take). A segment with
    no words of its own (a tag at the very end) gets an empty span at its neighbour's edge.
    """
    owner = _word_segments(plan, timeline)
    words = timeline.words
    ranges = []
    for k in range(len(plan.segments)):
        mine = [i for i, o in enumerate(owner) if o == k]
        ranges.append((mine[0], mine[-1] + 1) if mine else None)
    bounds = [0.0]
    for k in range(1, len(plan.segments)):
        before = [r for r in ranges[:k] if r]
        after = [r for r in ranges[k:] if r]
        if before and after:
            gap_start, gap_end = words[before[-1][1] - 1].end, words[after[0][0]].start
            bounds.append(0.5 * (gap_start + gap_end))
        else:
            bounds.append(bounds[-1] if not after else 0.0)
    bounds.append(float(timeline.duration))
    spans = []
    for k, seg in enumerate(plan.segments):
        first, last = ranges[k] or (0, 0)
        spans.append(SegmentSpan(k, seg.start, seg.text, seg.target, float(bounds[k]),
                                 float(max(bounds[k], bounds[k + 1])), (first, last)))
    return spans


def cut_speech(speech: Speech, start: float, end: float) -> np.ndarray:
    """(samples,) the audio of ``speech`` between ``start`` and ``end`` seconds."""
    sr = speech.sample_rate
    return speech.audio[max(0, int(round(start * sr))):int(round(end * sr))]


def cut_face(face: FaceAnimation, start: float, end: float) -> FaceAnimation:
    """The face animation's frames between ``start`` and ``end`` seconds."""
    a, b = _frame_range(face.fps, face.frames, start, end)
    return dataclasses.replace(face, weights=face.weights[a:b], head=face.head[a:b],
                               eyes=face.eyes[a:b], visemes=face.visemes[a:b])


def cut_body(body: BodyAnimation, start: float, end: float) -> BodyAnimation:
    """The body animation's frames between ``start`` and ``end`` seconds (at least 3)."""
    a, b = _frame_range(body.fps, body.frames, start, end, at_least=3)
    return dataclasses.replace(body, rotations=body.rotations[a:b],
                               root_translation=body.root_translation[a:b])


def _frame_range(fps: float, frames: int, start: float, end: float,
                 at_least: int = 1) -> tuple[int, int]:
    a = int(np.clip(np.floor(start * fps), 0, max(frames - 1, 0)))
    b = int(np.clip(np.ceil(end * fps), a + 1, frames))
    if b - a < at_least:  # widen around the middle, within the animation
        mid = (a + b) // 2
        a = max(0, min(mid - at_least // 2, frames - at_least))
        b = min(frames, a + at_least)
    return a, b


def frames_in(times: np.ndarray, span: SegmentSpan) -> np.ndarray:
    """Indices of the frame ``times`` (seconds) that fall in ``span`` (the nearest frame when
    none does)."""
    inside = np.flatnonzero((times >= span.start) & (times < span.end))
    if inside.size:
        return inside
    return np.array([int(np.argmin(np.abs(times - 0.5 * (span.start + span.end))))])
