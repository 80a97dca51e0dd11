"""Phrases' speech, in order -> chunks with face and body frames on the line's clock.

For each new phrase the face and body animators run over a window of the line: the phrase and
up to :data:`CONTEXT_S` seconds of the phrases before it (at least the one just before), so
that an expression, a gaze or a gesture going on at the join carries on; only the new
phrase's frames are sent, blended into the last frames sent (``joins``). A line that follows
another on the same avatar starts from the pose the other one left (:class:`AvatarPose`).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from controllers.character import Character
from controllers.target import EmotionPlan
from synth.contracts import Timeline
from studio.live.chunk import BODY_FPS, FACE_FPS, LiveChunk, frames_before, to_pcm16
from studio.live.joins import AvatarPose, blend_in, blend_in_rotations
from studio.live.speech import PhraseSpeech
from studio.live.timeline import join_timelines, shift_timeline

#: Seconds of earlier speech the animators see before a new phrase.
CONTEXT_S = 2.5


def window_plan(plan: EmotionPlan, char_start: int) -> EmotionPlan:
    """``plan`` as seen from character ``char_start`` on: the segment in force there becomes
    the first (the animators read a later segment's start as a change of emotion)."""
    current = [s for s in plan.segments if s.start <= char_start] or [plan.segments[0]]
    later = [s for s in plan.segments if s.start > char_start]
    return EmotionPlan(plan.text, (replace(current[-1], start=0), *later))


def _rows(values: np.ndarray, first: int, stop: int) -> np.ndarray:
    """Rows ``first..stop-1`` of ``values``, the last row repeated past its end."""
    index = np.clip(np.arange(first, stop), 0, len(values) - 1)
    return values[index]


class LineAssembler:
    """Places one line's phrases on its clock and animates them, one :meth:`add` per phrase,
    in order. ``pose`` is the avatar's pose, read at the start and updated with every chunk;
    ``character`` whose face and body are animated (None: the studio's defaults)."""

    def __init__(self, line_id: str, plan: EmotionPlan, phrases: int, seed: int = 0,
                 pose: AvatarPose | None = None, character: Character | None = None) -> None:
        self.line_id = line_id
        self.character = character
        """Whose face and body (:class:`~controllers.character.Character`; None: the
        studio's defaults)."""
        self.plan = plan
        self.phrases = phrases
        self.seed = seed
        self.pose = pose if pose is not None else AvatarPose()
        self._placed: list[tuple[PhraseSpeech, int]] = []  # (speech, first sample on the clock)
        self._samples = 0
        self._face_next = 0
        self._body_next = 0
        self._words = 0
        self._syllables = 0

    @property
    def samples(self) -> int:
        """Samples placed so far."""
        return self._samples

    def _window(self, sample_rate: int) -> tuple[Timeline, int, int]:
        """The timeline the animators run over, its start in body frames and the character
        offset of its first phrase."""
        onset = self._placed[-1][1] / sample_rate
        context = [p for p in self._placed[:-1] if p[1] / sample_rate >= onset - CONTEXT_S]
        if not context and len(self._placed) > 1:
            context = [self._placed[-2]]
        pieces = context + [self._placed[-1]]
        start_frame = int(math.floor(pieces[0][1] / sample_rate * BODY_FPS + 1e-9))
        start = start_frame / BODY_FPS
        timeline = join_timelines([(p.timeline, s / sample_rate, p.phrase.start)
                                   for p, s in pieces], start, self._samples / sample_rate - start)
        return timeline, start_frame, pieces[0][0].phrase.start

    def add(self, speech: PhraseSpeech) -> LiveChunk:
        """The chunk of the next phrase (``speech.index`` must follow the last one added)."""
        from synth.face import animate_face
        from synth.gesture import animate_body

        if speech.index != len(self._placed):
            raise ValueError(f"phrase {speech.index} added after {len(self._placed)} phrases")
        sr = speech.sample_rate
        first_sample = self._samples
        self._placed.append((speech, first_sample))
        self._samples += len(speech.audio)
        last = speech.index == self.phrases - 1

        timeline, window_body, window_char = self._window(sr)
        window_face = int(round(window_body * FACE_FPS / BODY_FPS))
        plan = window_plan(self.plan, window_char)
        seed = self.seed + 7919 * speech.index  # a fresh draw of blinks and gaze per window
        face = animate_face(timeline, plan, seed=seed, fps=FACE_FPS, character=self.character)
        body = animate_body(timeline, plan, seed=seed, fps=BODY_FPS, face=face,
                            text=self.plan.text, character=self.character)

        face_stop = frames_before(self._samples, sr, FACE_FPS) + (1 if last else 0)
        body_stop = frames_before(self._samples, sr, BODY_FPS) + (1 if last else 0)
        f0, f1 = self._face_next - window_face, face_stop - window_face
        b0, b1 = self._body_next - window_body, body_stop - window_body
        weights, head, eyes = (_rows(a, f0, f1) for a in (face.weights, face.head, face.eyes))
        rotations, root = (_rows(a, b0, b1) for a in (body.rotations, body.root_translation))

        pose = self.pose
        ref_f, ref_b = max(f0 - 1, 0), max(b0 - 1, 0)
        weights = blend_in(weights, pose.face, face.weights[ref_f], FACE_FPS, 0.0, 1.0)
        head = blend_in(head, pose.head, face.head[ref_f], FACE_FPS)
        eyes = blend_in(eyes, pose.eyes, face.eyes[ref_f], FACE_FPS)
        rotations = blend_in_rotations(rotations, pose.rotations, body.rotations[ref_b],
                                       BODY_FPS)
        root = blend_in(root, pose.root, body.root_translation[ref_b], BODY_FPS)

        phonemes, syllables, words = shift_timeline(
            speech.timeline, first_sample / sr, self._words, self._syllables,
            speech.phrase.start)
        self._words += len(words)
        self._syllables += len(syllables)
        chunk = LiveChunk(line_id=self.line_id, index=speech.index, text=speech.phrase.text,
                          char_start=speech.phrase.start, sample_start=first_sample,
                          audio=to_pcm16(speech.audio), sample_rate=sr,
                          face_start=self._face_next, face=weights.astype(np.float32),
                          head=head.astype(np.float32), eyes=eyes.astype(np.float32),
                          body_start=self._body_next, rotations=rotations.astype(np.float32),
                          root=root.astype(np.float32), words=words, phonemes=phonemes,
                          marks=[replace(m, time=m.time + first_sample / sr)
                                 for m in speech.timeline.marks], last=last)
        self._face_next, self._body_next = face_stop, body_stop
        if len(weights):
            pose.face, pose.head, pose.eyes = weights[-1], head[-1], eyes[-1]
        if len(rotations):
            pose.rotations, pose.root = rotations[-1], root[-1]
        return chunk
