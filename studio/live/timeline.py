"""Timelines of pieces of speech moved onto the line's clock: trimmed, shifted, joined.

The live stream speaks a line phrase by phrase; each phrase's :class:`Timeline` counts from
its own first sample. These functions cut a timeline to a stretch of its audio and join
several into one timeline over the concatenated audio, so that the face and body animators
(which take one timeline) can run over several phrases at once.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import numpy as np

from synth.contracts import Phoneme, Syllable, Timeline, Word

#: F0 (Hz) and energy (dBFS) of padding frames: unvoiced, silent.
SILENT_ENERGY_DB = -100.0


def _frame_count(duration: float, hop: float) -> int:
    """F0/energy frames over ``duration`` seconds (one per hop, both ends included), as
    ``synth.tts.acoustics.frame_count`` counts them."""
    return int(duration / hop + 1e-9) + 1


def _clip(start: float, end: float, lo: float, hi: float) -> tuple[float, float]:
    return min(max(start, lo), hi), min(max(end, lo), hi)


def _frames(curve: np.ndarray, first: int, n: int, fill: float) -> np.ndarray:
    """``n`` frames of ``curve`` from index ``first`` (may be negative), ``fill`` outside."""
    out = np.full(n, fill, np.float32)
    lo, hi = max(first, 0), min(first + n, len(curve))
    if hi > lo:
        out[lo - first:hi - first] = curve[lo:hi]
    return out


def cut_timeline(timeline: Timeline, start: float, duration: float) -> Timeline:
    """The part of ``timeline`` from ``start`` seconds, ``duration`` seconds long, re-timed to
    count from ``start``. Items are clipped to the stretch; phonemes left with no length are
    dropped (a cut is made in silence, so words and syllables are never lost)."""
    end = start + duration
    phonemes = []
    for p in timeline.phonemes:
        a, b = _clip(p.start, p.end, start, end)
        if b > a or p.symbol != "_":
            phonemes.append(replace(p, start=a - start, end=b - start))
    syllables = [replace(s, start=_clip(s.start, s.end, start, end)[0] - start,
                         end=_clip(s.start, s.end, start, end)[1] - start)
                 for s in timeline.syllables]
    words = [replace(w, start=_clip(w.start, w.end, start, end)[0] - start,
                     end=_clip(w.start, w.end, start, end)[1] - start)
             for w in timeline.words]
    hop = timeline.hop
    first = int(round(start / hop))
    n = _frame_count(duration, hop)
    marks = [replace(m, time=min(max(m.time, start), end) - start) for m in timeline.marks]
    return Timeline(duration=duration, phonemes=phonemes, syllables=syllables, words=words,
                    hop=hop, f0=_frames(timeline.f0, first, n, 0.0),
                    energy=_frames(timeline.energy, first, n, SILENT_ENERGY_DB), marks=marks)


def shift_timeline(timeline: Timeline, offset: float, word_base: int = 0,
                   syllable_base: int = 0, char_base: int = 0) -> tuple[list[Phoneme],
                                                                    list[Syllable], list[Word]]:
    """The items of ``timeline`` moved ``offset`` seconds later, their word and syllable
    indices counted from ``word_base`` / ``syllable_base`` and their character offsets from
    ``char_base`` (where the piece's text begins in the line's text)."""
    def index(i: int, base: int) -> int:
        return i + base if i >= 0 else i

    phonemes = [replace(p, start=p.start + offset, end=p.end + offset,
                        word=index(p.word, word_base), syllable=index(p.syllable, syllable_base))
                for p in timeline.phonemes]
    syllables = [replace(s, start=s.start + offset, end=s.end + offset,
                         word=index(s.word, word_base)) for s in timeline.syllables]
    words = [replace(w, start=w.start + offset, end=w.end + offset,
                     char_start=w.char_start + char_base if w.char_start >= 0 else -1)
             for w in timeline.words]
    return phonemes, syllables, words


def join_timelines(pieces: Sequence[tuple[Timeline, float, int]], start: float,
                   duration: float) -> Timeline:
    """One timeline over ``duration`` seconds from ``start`` on the line's clock, made of
    ``pieces``: (timeline, onset on the line's clock in seconds, character offset of its text
    in the line). Time before the first piece is a pause."""
    hop = pieces[0][0].hop if pieces else 0.005
    n = _frame_count(duration, hop)
    f0 = np.zeros(n, np.float32)
    energy = np.full(n, SILENT_ENERGY_DB, np.float32)
    phonemes: list[Phoneme] = []
    syllables: list[Syllable] = []
    words: list[Word] = []
    if pieces and pieces[0][1] > start:
        phonemes.append(Phoneme("_", 0.0, pieces[0][1] - start))
    for timeline, onset, char_base in pieces:
        ph, sy, wo = shift_timeline(timeline, onset - start, len(words), len(syllables),
                                    char_base)
        phonemes += ph
        syllables += sy
        words += wo
        first = int(round((onset - start) / hop))
        m = min(len(timeline.f0), n - first)
        if m > 0:
            f0[first:first + m] = timeline.f0[:m]
            energy[first:first + m] = timeline.energy[:m]
    return Timeline(duration=duration, phonemes=phonemes, syllables=syllables, words=words,
                    hop=hop, f0=f0, energy=energy)
