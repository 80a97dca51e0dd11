"""Intelligibility check: a pocketsphinx transcript of the take against the text (word error rate).

An emotional rendering that fools the emotion recognisers by mangling the words (extreme pitch,
rate or breathiness) must not count: the critic requires the take's word error rate to stay
within a margin of the neutral reading's (the recogniser is far from perfect even on neutral
speech, so the neutral reading is the fair reference).
"""

from __future__ import annotations

import re

import numpy as np


def normalise_words(text: str) -> list[str]:
    """Lower-case words without punctuation (apostrophes kept)."""
    return re.findall(r"[a-z0-9']+", text.lower())


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words (Levenshtein on words)."""
    ref, hyp = normalise_words(reference), normalise_words(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    d = np.arange(len(hyp) + 1, dtype=int)
    for i, r in enumerate(ref, 1):
        prev, d[0] = d[0], i
        for j, h in enumerate(hyp, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (r != h))
    return float(d[-1]) / len(ref)


def transcribe(audio: np.ndarray, sample_rate: int) -> str:
    """What pocketsphinx (en-us) hears in a recording (via the TTS helper's audio-only path)."""
    from synth.tts import align_recording

    speech = align_recording(np.asarray(audio, np.float32), sample_rate)
    return " ".join(w.text for w in speech.timeline.words)
