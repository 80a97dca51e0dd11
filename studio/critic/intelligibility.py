"""Intelligibility check: a pocketsphinx transcript of the take against the text (word error rate).

An emotional rendering that fools the emotion recognisers by mangling the words (extreme pitch,
rate or breathiness) must not count: the critic requires the take's word errors to stay within a
margin of the same voice's neutral reading of the same text (the recogniser is far from perfect
even on neutral speech, so the neutral reading is the fair reference; :func:`words_kept`).
"""

from __future__ import annotations

import re

import numpy as np


def normalise_words(text: str) -> list[str]:
    """Lower-case words without punctuation (apostrophes kept)."""
    return re.findall(r"[a-z0-9']+", text.lower())


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(substitutions + deletions + insertions, reference words): the Levenshtein distance on
    words and its denominator (summed over many lines they give a corpus's word error rate)."""
    ref, hyp = normalise_words(reference), normalise_words(hypothesis)
    d = np.arange(len(hyp) + 1, dtype=int)
    for i, r in enumerate(ref, 1):
        prev, d[0] = d[0], i
        for j, h in enumerate(hyp, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (r != h))
    return int(d[-1]), len(ref)


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words (Levenshtein on words)."""
    errors, words = word_errors(reference, hypothesis)
    if not words:
        return 0.0 if not errors else 1.0
    return errors / words


#: A take keeps its words while pocketsphinx's errors on it are at most this many times its
#: errors on the neutral reading of the same text (the benchmarks' bar, issue 27: a target's word
#: error rate at most 1.3x bare piper's), plus :data:`SPARE_WORDS`.
ERROR_RATIO = 1.3
#: Errors allowed beyond the ratio: pocketsphinx's take-to-take noise on a healthy take.
#: Measured on the first 8 tuning sentences (``../shared/eval/sentences.txt``): the neutral
#: readings of seeds 0 and 100 got [1, 0, 5, 2, 0, 4, 0, 0] and [0, 2, 5, 3, 0, 1, 0, 0] words
#: wrong (one of the 8 seed-100 takes is beyond the bound of seed 0's; with 2 spare words, none);
#: the sad rendering of issue 27 (word error rate 46 % against neutral's 17 % on them: [6, 4, 7,
#: 2, 5, 4, 3, 2]) is caught on 5 of the 8 sentences (with 2 spare words, on 4; the former rule,
#: neutral's rate + 0.25, on 4).
SPARE_WORDS = 1


def allowed_errors(neutral_errors: int) -> int:
    """Most word errors a take may have when the neutral reading of its text has
    ``neutral_errors``: ``ceil(ERROR_RATIO * neutral_errors) + SPARE_WORDS``."""
    return int(np.ceil(ERROR_RATIO * neutral_errors - 1e-9)) + SPARE_WORDS


def words_kept(text: str, transcript: str, neutral_transcript: str | None = None,
               max_wer: float = 0.5) -> bool:
    """Whether a take whose transcript is ``transcript`` kept the words of ``text``: its word
    errors within :func:`allowed_errors` of the neutral reading's (``neutral_transcript``), or,
    with no neutral reading, its word error rate at most ``max_wer``."""
    errors, words = word_errors(text, transcript)
    if neutral_transcript is None:
        return errors <= max_wer * max(words, 1) + 1e-9
    return errors <= allowed_errors(word_errors(text, neutral_transcript)[0])


#: Most HMMs pocketsphinx keeps active per frame (its default 30000). The critic's lines are
#: short, clearly spoken sentences: at 2000 the transcripts of neutral and emotional takes
#: came out the same as with the default, at three quarters of the time.
MAX_ACTIVE_HMMS = 2000
#: pocketsphinx's second (flat-lexicon) search pass. Without it, 10 sentences read neutral, sad
#: and angry came out with the same word error rate (0.15 vs 0.17 neutral) at 70 % of the time.
FLAT_LEXICON_PASS = False
_DECODER = None


def load_decoder():
    """The process's pocketsphinx decoder (made on first use: ~0.3 s of loading its models)."""
    global _DECODER
    if _DECODER is None:
        from pocketsphinx import Decoder

        _DECODER = Decoder(loglevel="FATAL", maxhmmpf=MAX_ACTIVE_HMMS, fwdflat=FLAT_LEXICON_PASS)
    return _DECODER


def transcribe(audio: np.ndarray, sample_rate: int) -> str:
    """What pocketsphinx (its bundled en-us model and language model) hears in a recording.

    Recognition only, no alignment: the critic needs the words, not their times. The samples
    are the aligner's (:func:`synth.tts.align.recogniser_pcm`: 16 kHz through the project's
    numpy resampler; importing ``scipy.signal`` cost a render's first transcription 0.7-1.1 s).
    """
    from synth.tts.align import recogniser_pcm

    pcm = recogniser_pcm(np.asarray(audio, np.float64).ravel(), int(sample_rate))
    decoder = load_decoder()
    decoder.start_utt()
    decoder.process_raw(pcm, no_search=False, full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    return hyp.hypstr if hyp is not None else ""
