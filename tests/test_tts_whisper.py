"""A whisper is unvoiced to an outside pitch tracker (openSMILE's eGeMAPS F0), on real takes."""

from __future__ import annotations

import numpy as np
import pytest

from controllers.target import EmotionTarget
from synth.tts import EmotionalTTS

#: Eval sentences whose whispers openSMILE heard as 18% voiced before the whisper's formant
#: contrast was reduced (synth.tts.render.WHISPER_CONTRAST).
SENTENCES = ("Please put the blue folder on the second shelf.",
             "The numbers on the form were written in pencil.")


@pytest.fixture(scope="module")
def tts() -> EmotionalTTS:
    return EmotionalTTS.load(prosody="rules")


@pytest.fixture(scope="module")
def smile_f0():
    opensmile = pytest.importorskip("opensmile")
    lld = opensmile.Smile(feature_set=opensmile.FeatureSet.eGeMAPSv02,
                          feature_level=opensmile.FeatureLevel.LowLevelDescriptors)

    def voiced_share(speech) -> float:
        frame = lld.process_signal(speech.audio, speech.sample_rate)
        return float(np.mean(frame["F0semitoneFrom27.5Hz_sma3nz"].to_numpy() > 0))

    return voiced_share


@pytest.mark.parametrize("text", SENTENCES)
@pytest.mark.parametrize("emotion", ["fear", "anger"])
def test_whisper_is_unvoiced_to_opensmile(tts, smile_f0, text, emotion):
    whisper = EmotionTarget.from_category(emotion, 0.6, {"voice_quality": "whisper"})
    speech = tts.speak(whisper, seed=1, text=text)
    assert smile_f0(speech) < 0.05
    # the same sentence spoken is voiced to the same tracker (the measure can fail)
    spoken = tts.speak(EmotionTarget.from_category(emotion, 0.6), seed=1, text=text)
    assert smile_f0(spoken) > 0.3
    assert np.sqrt(np.mean(speech.audio ** 2)) > 0.01  # audible
