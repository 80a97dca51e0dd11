"""synth.tts.resample: scipy's resample_poly without importing scipy.signal."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy.signal import resample_poly as scipy_resample_poly

from synth.tts.resample import resample_poly


@pytest.mark.parametrize("n, up, down", [(22050 * 2 + 17, 16000, 22050), (1000, 16000, 22050),
                                         (3, 16000, 22050), (999, 2, 3), (1234, 3, 2),
                                         (24000, 16000, 24000), (480, 16000, 48000),
                                         (100, 16000, 8000), (1, 2, 3)])
def test_equals_scipy(n, up, down):
    x = np.random.default_rng(n).standard_normal(n)
    ours, theirs = resample_poly(x, up, down), scipy_resample_poly(x, up, down)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


def test_a_tone_keeps_its_pitch_and_level():
    t = np.arange(22050) / 22050
    y = resample_poly(np.sin(2 * np.pi * 440 * t), 16000, 22050)
    spectrum = np.abs(np.fft.rfft(y[2000:-2000] * np.hanning(len(y) - 4000)))
    assert abs(np.argmax(spectrum) * 16000 / (len(y) - 4000) - 440) < 2
    assert abs(np.sqrt(np.mean(y[2000:-2000] ** 2)) - np.sqrt(0.5)) < 0.01
    np.testing.assert_array_equal(resample_poly(t, 7, 7), t)


def test_does_not_import_scipy_signal():
    code = ("import sys, numpy as np; from synth.tts.resample import resample_poly; "
            "resample_poly(np.ones(100), 16000, 22050); print('scipy.signal' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
