"""Running mean and running minimum along one axis, in numpy.

The same numbers as ``scipy.ndimage.uniform_filter1d`` and ``minimum_filter1d`` (``origin`` 0,
modes ``"reflect"`` and ``"nearest"``), to the bit (``tests/test_tts_sliding.py`` checks it
against scipy): the window of output ``i`` spans input ``i - size // 2`` to
``i + size - size // 2 - 1``, over the same extension of the ends, and the mean is scipy's
running sum (the first window summed in order, then each step adds the entering sample and takes
off the leaving one) divided by ``size``. Importing ``scipy.ndimage`` costs ~0.16 s of an
emotional ``speak``'s start-up on a 2-core machine (it loads scipy.special and the array-API
layer); the speech path needs only these two filters.
"""

from __future__ import annotations

import numpy as np

#: scipy.ndimage's boundary modes -> numpy.pad's
_PAD_MODES = {"reflect": "symmetric", "nearest": "edge"}


def _extended(x: np.ndarray, size: int, axis: int, mode: str) -> np.ndarray:
    """``x`` with ``axis`` moved last and extended by the window's reach at both ends."""
    if size < 1:
        raise ValueError(f"window size must be at least 1, got {size}")
    if mode not in _PAD_MODES:
        raise ValueError(f"mode {mode!r} is not one of {sorted(_PAD_MODES)}")
    before = size // 2
    after = size - before - 1
    moved = np.moveaxis(np.asarray(x, np.float64), axis, -1)
    pad = [(0, 0)] * (moved.ndim - 1) + [(before, after)]
    return np.pad(moved, pad, mode=_PAD_MODES[mode])


def uniform_filter1d(x: np.ndarray, size: int, axis: int = -1,
                     mode: str = "reflect") -> np.ndarray:
    """Mean over a window of ``size`` samples along ``axis`` of ``x`` (float64, same shape):
    ``scipy.ndimage.uniform_filter1d(x, size, axis, mode=mode)``."""
    ext = _extended(x, size, axis, mode)
    n = ext.shape[-1] - size + 1
    first = np.cumsum(ext[..., :size], axis=-1)[..., -1:]  # summed in order
    steps = ext[..., size:size + n - 1] - ext[..., :n - 1]
    sums = np.cumsum(np.concatenate([first, steps], axis=-1), axis=-1)
    return np.moveaxis(sums / float(size), -1, axis)


def minimum_filter1d(x: np.ndarray, size: int, axis: int = -1,
                     mode: str = "reflect") -> np.ndarray:
    """Minimum over a window of ``size`` samples along ``axis`` of ``x`` (float64, same shape):
    ``scipy.ndimage.minimum_filter1d(x, size, axis, mode=mode)``."""
    ext = _extended(x, size, axis, mode)
    out = np.lib.stride_tricks.sliding_window_view(ext, size, axis=-1).min(axis=-1)
    return np.moveaxis(out, -1, axis)
