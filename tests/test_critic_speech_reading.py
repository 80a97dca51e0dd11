"""The critic's reading of a take's voice: which references it analyses."""

from __future__ import annotations

import numpy as np
import pytest

from controllers.errors import InputError
from controllers.target import EmotionTarget
from studio.critic import Critic, TakeResult
from synth.contracts import Speech


@pytest.fixture(scope="module")
def sad_take_with_a_silent_reference():
    """A real sad take of the studio's voice whose 'neutral reading' is silence (which cannot
    be analysed)."""
    from synth.tts import EmotionalTTS

    tts = EmotionalTTS.load(prosody="rules")
    speech = tts.speak(EmotionTarget.from_category("sadness", 1.0), seed=0,
                       text="The train leaves at nine.")
    silent = Speech(np.zeros_like(speech.audio), speech.sample_rate, speech.timeline)
    return TakeResult(speech=speech, neutral_speech=silent)


def test_a_whole_take_is_read_against_the_voice_reference_alone(sad_take_with_a_silent_reference):
    # the voice's reference statistics place the take: its neutral reading is not analysed
    estimate = Critic().speech_estimate(sad_take_with_a_silent_reference)
    assert estimate.extra["mode"] == "voice"
    assert abs(sum(estimate.probabilities.values()) - 1.0) < 1e-6


def test_an_anchored_reading_analyses_the_neutral_reading(sad_take_with_a_silent_reference):
    with pytest.raises(InputError, match="neutral reading"):
        Critic().speech_estimate(sad_take_with_a_silent_reference, anchored=True)
