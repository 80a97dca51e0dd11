"""Frame-level acoustics of speech: F0 (Praat voicing + WORLD StoneMask) and energy in dB.

Both curves share one hop (5 ms by default) and one frame count, so frame ``i`` of each is the
sound at ``i * hop`` seconds.
"""

from __future__ import annotations

import numpy as np

#: Lowest and highest F0 searched, Hertz (covers low male speech to high female shouting).
F0_FLOOR_HZ = 50.0
F0_CEIL_HZ = 600.0
#: Floor of the energy curve, dBFS (digital silence maps here, not to -inf).
ENERGY_FLOOR_DB = -100.0


def import_pyworld():
    """The ``pyworld`` module (its import warns about ``pkg_resources``; that noise is muted)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        import pyworld
    return pyworld


def frame_count(n_samples: int, sample_rate: int, hop: float = 0.005) -> int:
    """Frames WORLD gives for ``n_samples`` at ``hop`` seconds (one per hop, both ends included)."""
    return int(n_samples / (sample_rate * hop)) + 1


def f0_contour(audio: np.ndarray, sample_rate: int, hop: float = 0.005) -> np.ndarray:
    """(frames,) float64 F0 in Hertz, 0 where unvoiced.

    Voicing and octave come from Praat's autocorrelation tracker (parselmouth; its path search
    keeps the octave: WORLD's DIO doubles the F0 of low voices such as joe's ~85 Hz), and the
    values are refined by WORLD's StoneMask so that WORLD resynthesis uses its own F0 estimate.
    """
    import parselmouth

    pyworld = import_pyworld()
    x = np.ascontiguousarray(audio, dtype=np.float64)
    n = frame_count(len(x), sample_rate, hop)
    times = np.arange(n) * hop
    if len(x) < int(0.05 * sample_rate):
        return np.zeros(n)
    # Praat on every other frame (half the cost); StoneMask then refines every frame
    pitch = parselmouth.Sound(x, sampling_frequency=sample_rate).to_pitch_ac(
        time_step=2 * hop, pitch_floor=F0_FLOOR_HZ, pitch_ceiling=F0_CEIL_HZ)
    frame_times, values = pitch.xs(), pitch.selected_array["frequency"]
    if len(frame_times) == 0:
        return np.zeros(n)
    voiced = np.interp(times, frame_times, (values > 0).astype(float), left=0, right=0) > 0.5
    filled = np.interp(frame_times, frame_times[values > 0], values[values > 0]) \
        if (values > 0).any() else values
    f0 = np.where(voiced, np.interp(times, frame_times, filled), 0.0)
    return pyworld.stonemask(x, f0, times, sample_rate)


def refine_f0(audio: np.ndarray, sample_rate: int, f0: np.ndarray, hop: float = 0.005) -> np.ndarray:
    """(frames,) F0 in Hertz refined on ``audio`` by WORLD's StoneMask (voicing kept as given)."""
    pyworld = import_pyworld()
    x = np.ascontiguousarray(audio, dtype=np.float64)
    f0 = np.ascontiguousarray(f0, dtype=np.float64)
    return pyworld.stonemask(x, f0, np.arange(len(f0)) * hop, sample_rate)


def energy_db(audio: np.ndarray, sample_rate: int, hop: float = 0.005,
              n_frames: int | None = None, window: float = 0.025) -> np.ndarray:
    """(frames,) float32 RMS energy in dBFS over ``window`` seconds centred on each frame."""
    x = np.asarray(audio, np.float64)
    if n_frames is None:
        n_frames = frame_count(len(x), sample_rate, hop)
    half = max(1, int(round(window * sample_rate / 2)))
    padded = np.pad(x * x, (half, half + 1))
    cumsum = np.concatenate([[0.0], np.cumsum(padded)])
    centres = np.round(np.arange(n_frames) * hop * sample_rate).astype(np.int64) + half
    centres = np.clip(centres, half, len(padded) - half - 1)
    power = (cumsum[centres + half + 1] - cumsum[centres - half]) / (2 * half + 1)
    db = 10.0 * np.log10(np.maximum(power, 10.0 ** (ENERGY_FLOOR_DB / 10.0)))
    return db.astype(np.float32)
