"""One phrase of a line -> its speech, trimmed so that phrases join into one continuous take.

The voice reads each phrase as an utterance of its own, with a little silence before and
after. Joined as they are, phrases cut between words would be read with a pause in the
middle of a clause, and sentences would run into each other. :func:`speak_phrase` keeps
:data:`LEAD_S` of silence before the first sound and sets the silence after the last one by
what ends the phrase (:data:`PAUSE_AFTER_S`, never shorter than the voice's own pause where
the emotion lengthened it, except between words). Cuts are made in silence and faded over
:data:`FADE_S`, so the joins have no clicks.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from controllers.character import Character
from controllers.ssml import SsmlPlan
from controllers.target import EmotionPlan
from synth.contracts import Timeline
from studio.live.phrases import Phrase, phrase_plan
from studio.live.timeline import cut_timeline

#: Silence kept before a phrase's first sound, seconds.
LEAD_S = 0.02
#: Silence after a phrase's last sound by what ends it, seconds: (shortest, longest).
PAUSE_AFTER_S: dict[str, tuple[float, float]] = {
    "word": (0.01, 0.03),        # a clause cut between words: no audible break
    "clause": (0.12, 0.6),       # comma, semicolon, dash
    "sentence": (0.35, 0.9),     # between sentences of a line
    "end": (0.05, 0.3),          # the line's end
}
#: Length of the raised-cosine fade at each cut, seconds.
FADE_S = 0.004
#: Level (dB below the phrase's peak) under which audio counts as silence.
SILENCE_DB = -42.0


@dataclass
class PhraseSpeech:
    """A phrase's audio and timeline, ready to be placed on the line's clock."""

    index: int
    """Position of the phrase in the line (0 first)."""
    phrase: Phrase
    audio: np.ndarray
    """(samples,) float32 mono in [-1, 1], trimmed and faded."""
    sample_rate: int
    """Samples per second in Hertz."""
    timeline: Timeline
    """What is said when, seconds from the first sample of :attr:`audio`; words'
    ``char_start`` count from the phrase's start (add :attr:`Phrase.start` for the line)."""
    seconds: float
    """Wall-clock seconds the voice took."""

    @property
    def duration(self) -> float:
        return len(self.audio) / float(self.sample_rate)


def sound_bounds(audio: np.ndarray, sample_rate: int,
                 silence_db: float = SILENCE_DB) -> tuple[int, int]:
    """(first, last + 1) sample of sound in ``audio``: where its 5 ms peak envelope rises above
    ``silence_db`` below the overall peak. (0, 0) for silence."""
    x = np.abs(np.asarray(audio, np.float32))
    peak = float(x.max()) if x.size else 0.0
    if peak <= 1e-6:
        return 0, 0
    win = max(1, int(0.005 * sample_rate))
    n = len(x) // win
    env = x[:n * win].reshape(n, win).max(axis=1) if n else x[:0]
    loud = np.nonzero(env > peak * 10.0 ** (silence_db / 20.0))[0]
    if not loud.size:
        return 0, len(x)
    return int(loud[0] * win), int(min(len(x), (loud[-1] + 1) * win))


def _fade(audio: np.ndarray, samples: int) -> np.ndarray:
    """``audio`` with a raised-cosine fade-in and fade-out of ``samples`` each."""
    n = min(samples, len(audio) // 2)
    if n > 0:
        ramp = 0.5 - 0.5 * np.cos(np.pi * (np.arange(n) + 0.5) / n)
        audio[:n] *= ramp
        audio[-n:] *= ramp[::-1]
    return audio


def trim_speech(audio: np.ndarray, sample_rate: int, timeline: Timeline,
                boundary: str, lead_s: float = LEAD_S, hold_s: float = 0.0
                ) -> tuple[np.ndarray, Timeline]:
    """The phrase's audio and timeline with ``lead_s`` of silence before the first sound
    and the pause after the last that ``boundary`` asks for (zeros added when the voice's own
    silence is shorter than the boundary's shortest pause, cut when longer than its longest);
    ``hold_s``: a pause after the last sound that is kept whole (an SSML break)."""
    first, last = sound_bounds(audio, sample_rate)
    if last <= first:  # nothing audible: keep it as it is
        return np.asarray(audio, np.float32), timeline
    shortest, longest = PAUSE_AFTER_S[boundary]
    shortest, longest = max(shortest, hold_s), max(longest, hold_s)
    start = max(0, first - int(max(lead_s, LEAD_S) * sample_rate))
    natural = len(audio) - last
    after = int(round(np.clip(natural, shortest * sample_rate, longest * sample_rate)))
    kept = np.asarray(audio[start:min(len(audio), last + after)], np.float32).copy()
    kept = _fade(kept, int(FADE_S * sample_rate))
    pad = last + after - start - len(kept)
    if pad > 0:
        kept = np.concatenate([kept, np.zeros(pad, np.float32)])
    duration = len(kept) / float(sample_rate)
    return kept, cut_timeline(timeline, start / float(sample_rate), duration)


def speak_phrase(tts, plan: EmotionPlan, phrase: Phrase, index: int, seed: int,
                 character: Character | None = None) -> PhraseSpeech:
    """Speak one phrase of ``plan`` (the whole line's plan) with ``tts``
    (``synth.tts.EmotionalTTS``) in ``character``'s voice (None: the default voice); the
    phrase's own seed is ``seed + index``."""
    t = time.perf_counter()
    directions = (plan.directions.sub(phrase.start, phrase.end)
                  if isinstance(plan, SsmlPlan) else None)
    speech = tts.speak(phrase_plan(plan, phrase), seed=seed + index, character=character,
                       directions=directions)
    lead = hold = 0.0
    if directions is not None and directions.words:  # SSML breaks survive the trimming
        lead, hold = directions.break_before_s, directions.words[-1].break_after_s
    audio, timeline = trim_speech(speech.audio, speech.sample_rate, speech.timeline,
                                  phrase.boundary, lead, hold)
    return PhraseSpeech(index=index, phrase=phrase, audio=audio,
                        sample_rate=speech.sample_rate, timeline=timeline,
                        seconds=time.perf_counter() - t)
