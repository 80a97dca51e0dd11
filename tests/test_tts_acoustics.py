"""synth.tts.acoustics: frame-wise WORLD analyses split over threads."""

from __future__ import annotations

import numpy as np
import pytest

from synth.tts.acoustics import f0_contour, framewise, import_pyworld


@pytest.fixture(scope="module")
def reading():
    from synth.tts import Voice

    speech = Voice.load().synthesize("Please put the books back on the shelf.", seed=3)
    x = speech.audio.astype(np.float64)
    f0 = f0_contour(x, speech.sample_rate)
    return x, speech.sample_rate, f0, np.arange(len(f0)) * 0.005


def test_stonemask_in_chunks_equals_one_call(reading):
    x, sr, f0, times = reading
    pyworld = import_pyworld()
    whole = pyworld.stonemask(x, f0, times, sr)
    np.testing.assert_array_equal(framewise([pyworld.stonemask], x, f0, times, sr)[0], whole)


def test_spectra_in_chunks_match_one_call_and_repeat_exactly(reading):
    x, sr, f0, times = reading
    pyworld = import_pyworld()
    fft = pyworld.get_cheaptrick_fft_size(sr)
    envelope, aperiodicity = framewise([pyworld.cheaptrick, pyworld.d4c], x, f0, times, sr,
                                       fft_size=fft)
    assert envelope.shape == aperiodicity.shape == (len(f0), fft // 2 + 1)
    # WORLD seeds its safeguard noise per call: the chunks' values are close to one whole call's
    whole = pyworld.cheaptrick(x, f0, times, sr, fft_size=fft)
    loud = whole > 1e-8 * whole.max()
    np.testing.assert_allclose(envelope[loud], whole[loud], rtol=1e-3)
    np.testing.assert_allclose(aperiodicity, pyworld.d4c(x, f0, times, sr, fft_size=fft),
                               atol=0.05)
    for _ in range(5):  # threads never change the result
        again = framewise([pyworld.cheaptrick, pyworld.d4c], x, f0, times, sr, fft_size=fft)
        np.testing.assert_array_equal(again[0], envelope)
        np.testing.assert_array_equal(again[1], aperiodicity)
