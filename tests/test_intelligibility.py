"""The critic's word check: pocketsphinx's errors on a take against the same voice's neutral
reading of the same text, on real takes of the studio voice."""

from __future__ import annotations

import pytest

from controllers.target import EmotionTarget
from studio.critic import Critic, TakeResult
from studio.critic.intelligibility import (
    allowed_errors,
    transcribe,
    word_error_rate,
    word_errors,
    words_kept,
)

TEXT = "The cat is sleeping under the kitchen table."
#: A seed whose sad take at full intensity loses words (7 against the neutral reading's 1).
SEED = 18


def test_word_errors_count_substitutions_deletions_and_insertions():
    assert word_errors("The train leaves at nine.", "the rain leaves nine") == (2, 5)
    assert word_errors("a cup of flour", "a cup of the flour") == (1, 4)
    assert word_error_rate("a cup of flour", "a cup of the flour") == pytest.approx(0.25)


def test_the_allowance_follows_the_neutral_readings_errors():
    assert [allowed_errors(n) for n in (0, 1, 2, 3, 5)] == [1, 3, 4, 5, 8]
    text = "one two three four five six seven eight"
    neutral = "one two tree four five six seven eight"  # one error
    assert words_kept(text, "one two tree four fife six seven eight", neutral)  # 2 <= 3
    assert not words_kept(text, "one to tree for fife six seven eight", neutral)  # 4 > 3
    # no neutral reading: the absolute bound
    assert words_kept(text, "one to tree for six seven eight", None, max_wer=0.5)
    assert not words_kept(text, "one to tree for six", None, max_wer=0.5)


@pytest.fixture(scope="module")
def tts():
    from synth.tts import EmotionalTTS

    return EmotionalTTS.load(prosody="diffusion")


def test_a_sad_take_that_lost_its_words_is_caught_and_a_weaker_one_keeps_them(tts):
    """A real sad take at full intensity that loses words its neutral reading keeps fails the
    critic's word check; the same line and seed read less strongly (intensity 0.6: less of the
    breathiness and darkening that cover the formants) passes it, as the neutral reading does."""
    neutral = tts.neutral(TEXT, seed=SEED)
    critic = Critic()
    heard = {}
    for intensity in (1.0, 0.6):
        speech = tts.speak(EmotionTarget.from_category("sadness", intensity), seed=SEED,
                           text=TEXT)
        heard[intensity] = critic.intelligibility(
            TakeResult(speech=speech, neutral_speech=neutral), TEXT)
    neutral_heard = transcribe(neutral.audio, neutral.sample_rate)
    assert words_kept(TEXT, neutral_heard, neutral_heard)
    assert not heard[1.0][2], heard
    assert heard[1.0][1] > word_error_rate(TEXT, neutral_heard)
    assert heard[0.6][2], heard


def test_transcribing_does_not_import_scipy_signal():
    """The take goes to the recogniser's 16 kHz through the project's numpy resampler
    (``synth.tts.resample``, scipy's filter): importing scipy.signal cost a render's first
    word check 0.7-1.1 s."""
    import subprocess
    import sys

    code = ("import sys, numpy as np; from studio.critic.intelligibility import transcribe; "
            "t = np.arange(22050) / 22050; heard = transcribe(0.3 * np.sin(2 * np.pi * 150 * t), "
            "22050); print(type(heard).__name__, 'scipy.signal' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[-2:] == ["str", "False"]
