"""The speech path's numpy STFT is scipy.signal's (without its import cost)."""

import numpy as np
import pytest
from scipy.signal import istft as scipy_istft
from scipy.signal import stft as scipy_stft

from synth.tts.stft import hann, istft, stft


@pytest.mark.parametrize("segment,step,n_fft,n", [(512, 128, 1024, 22050), (1024, 110, 1024, 5000),
                                                  (256, 64, 256, 300)])
def test_stft_and_filtered_inverse_match_scipy(segment, step, n_fft, n):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(n)
    _, _, reference = scipy_stft(x, nperseg=segment, noverlap=segment - step, nfft=n_fft,
                                 boundary="even", padded=True)
    spectra = stft(x, segment, step, n_fft)
    # scipy scales each spectrum by the window's sum; the inverse undoes it
    np.testing.assert_allclose(spectra, reference.T * hann(segment).sum(), atol=1e-9)
    gain = np.exp(0.5 * rng.standard_normal(spectra.shape))  # a time-varying filter
    _, expected = scipy_istft(reference * gain.T, nperseg=segment, noverlap=segment - step,
                              nfft=n_fft, boundary=True)
    np.testing.assert_allclose(istft(spectra * gain, segment, step, n), expected[:n], atol=1e-9)


def test_unfiltered_round_trip_is_the_signal():
    x = np.sin(np.linspace(0, 300, 4000)) + np.linspace(-1, 1, 4000)
    np.testing.assert_allclose(istft(stft(x, 512, 128), 512, 128, len(x)), x, atol=1e-9)
