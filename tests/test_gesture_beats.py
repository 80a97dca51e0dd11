"""Beat consistency: the onset detector, the BC score, and generated motion that beats with its
own speech more than with another sentence's."""

from __future__ import annotations

import numpy as np
import pytest

from synth.gesture import animate_body
from synth.gesture.beats import audio_onsets, beat_consistency, motion_beats


def test_onsets_of_a_click_train():
    rate = 16000
    audio = np.zeros(rate * 2, np.float32)
    clicks = np.array([0.2, 0.55, 0.9, 1.4, 1.7])
    rng = np.random.default_rng(0)
    for t in clicks:
        i = int(t * rate)
        audio[i:i + 800] = rng.normal(0, 0.3, 800) * np.exp(-np.arange(800) / 200)
    found = audio_onsets(audio, rate)
    assert len(found) == len(clicks)
    assert np.abs(found - clicks).max() < 0.02


def test_score_bounds():
    beats = np.array([0.5, 1.0, 1.5])
    assert beat_consistency(beats, beats) == pytest.approx(1.0)
    assert beat_consistency(beats, beats + 5.0, sigma=0.1) < 1e-6
    assert beat_consistency(beats, np.zeros(0)) == 0.0
    assert beat_consistency(beats, beats + 0.1, sigma=0.1) == pytest.approx(np.exp(-0.5))


def test_motion_beats_with_their_own_speech(eval_sentences):
    from synth.tts import Voice

    voice = Voice.load()
    sentences = eval_sentences[:8]
    speeches = [voice.synthesize(s, seed=0) for s in sentences]
    data = []
    for text, speech in zip(sentences, speeches):
        body = animate_body(speech.timeline, None, seed=0, text=text)
        window = (speech.timeline.words[0].start, speech.timeline.words[-1].end + 0.1)
        inside = lambda x, w=window: x[(x >= w[0]) & (x <= w[1])]  # noqa: E731
        data.append((inside(audio_onsets(speech.audio, speech.sample_rate)),
                     inside(motion_beats(body)), inside))
    matched = [beat_consistency(m, a, 0.05) for a, m, _ in data]
    mismatched = [np.mean([beat_consistency(m, inside(data[j][0]), 0.05)
                           for j in range(len(data)) if j != i])
                  for i, (_, m, inside) in enumerate(data)]
    assert np.mean(matched) > np.mean(mismatched) + 0.05
