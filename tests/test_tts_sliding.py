"""The speech path's running mean and minimum equal scipy.ndimage's, to the bit."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from synth.tts.sliding import minimum_filter1d, uniform_filter1d


@pytest.mark.parametrize("mode", ["reflect", "nearest"])
@pytest.mark.parametrize("size", [1, 2, 3, 4, 7, 25, 26])
def test_running_mean_equals_scipy_to_the_bit(mode, size):
    rng = np.random.default_rng(size)
    for x, axis in ((rng.standard_normal(300) * 40.0, -1),
                    (rng.standard_normal((120, 3)) ** 3, 0),
                    (np.log(rng.uniform(1e-6, 1.0, (7, 513))), 1),
                    ((rng.uniform(size=(90, 3)) > 0.5).astype(np.float64), 0)):
        ours = uniform_filter1d(x, size, axis=axis, mode=mode)
        theirs = ndimage.uniform_filter1d(x, size, axis=axis, mode=mode)
        assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
        assert np.array_equal(ours, theirs)


@pytest.mark.parametrize("mode", ["reflect", "nearest"])
@pytest.mark.parametrize("size", [1, 3, 4, 25])
def test_running_minimum_equals_scipy(mode, size):
    x = np.random.default_rng(1).uniform(0.1, 1.0, 500)
    assert np.array_equal(minimum_filter1d(x, size, mode=mode),
                          ndimage.minimum_filter1d(x, size, mode=mode))


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="window size"):
        uniform_filter1d(np.ones(5), 0)
    with pytest.raises(ValueError, match="mode"):
        minimum_filter1d(np.ones(5), 3, mode="wrap")
