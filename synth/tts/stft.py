"""Short-time Fourier transform and its overlap-add inverse, in numpy.

The speech path filters audio frame by frame (:func:`synth.tts.render.filter_unvoiced`,
:func:`synth.tts.render.whisper_source`); ``scipy.signal`` would do the same but its import
(with ``scipy.stats``) costs about half a second of every ``speak``. Frames follow
``scipy.signal.stft(..., boundary="even", padded=True)``: the signal is mirrored by half a window
at both ends, so frame ``k`` is centred on sample ``k * step``; windows are periodic Hann.
"""

from __future__ import annotations

import numpy as np


def hann(segment: int) -> np.ndarray:
    """(segment,) periodic Hann window (the DFT-even window that overlaps to a constant)."""
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(segment) / segment)


def stft(x: np.ndarray, segment: int, step: int, n_fft: int | None = None) -> np.ndarray:
    """(frames, n_fft // 2 + 1) complex spectra of ``x`` (samples,) in Hann windows of
    ``segment`` samples every ``step`` samples, zero-padded to ``n_fft`` (default ``segment``).
    Frame ``k`` is centred on sample ``k * step`` (the ends mirrored by ``segment // 2``)."""
    n_fft = n_fft or segment
    x = np.asarray(x, np.float64)
    half = segment // 2
    if len(x) > half:
        padded = np.pad(x, half, mode="reflect")
    else:  # too short to mirror: zeros
        padded = np.pad(x, half)
    n_frames = max(1, -(-(len(padded) - segment) // step) + 1)
    padded = np.pad(padded, (0, (n_frames - 1) * step + segment - len(padded)))
    frames = np.lib.stride_tricks.sliding_window_view(padded, segment)[::step][:n_frames]
    return np.fft.rfft(frames * hann(segment), n=n_fft, axis=1)


def istft(spectra: np.ndarray, segment: int, step: int, n_samples: int) -> np.ndarray:
    """(n_samples,) signal whose :func:`stft` (same ``segment`` and ``step``) is ``spectra``
    (frames, bins), by weighted overlap-add; exact for unmodified spectra when ``step`` is at
    most half of ``segment``."""
    window = hann(segment)
    frames = np.fft.irfft(spectra, axis=1)[:, :segment] * window
    length = (len(frames) - 1) * step + segment
    out = np.zeros(length)
    weight = np.zeros(length)
    for k, frame in enumerate(frames):
        out[k * step:k * step + segment] += frame
        weight[k * step:k * step + segment] += window ** 2
    out /= np.where(weight > 1e-10, weight, 1.0)
    out = out[segment // 2:]
    return out[:n_samples] if len(out) >= n_samples else np.pad(out, (0, n_samples - len(out)))
