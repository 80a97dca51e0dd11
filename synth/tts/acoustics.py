"""Frame-level acoustics of speech: F0 (Praat voicing + WORLD StoneMask) and energy in dB.

Both curves share one hop (5 ms by default) and one frame count, so frame ``i`` of each is the
sound at ``i * hop`` seconds.
"""

from __future__ import annotations

import functools
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import numpy as np

#: Lowest and highest F0 searched, Hertz (covers low male speech to high female shouting).
F0_FLOOR_HZ = 50.0
F0_CEIL_HZ = 600.0
#: Floor of the energy curve, dBFS (digital silence maps here, not to -inf).
ENERGY_FLOOR_DB = -100.0
#: Chunks of frames a frame-wise WORLD analysis is split into, analysed on parallel threads.
ANALYSIS_CHUNKS = 2


def import_pyworld():
    """The ``pyworld`` module (its import warns about ``pkg_resources``; that noise is muted)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        import pyworld
    return pyworld


@functools.lru_cache(maxsize=1)
def analysis_pool() -> ThreadPoolExecutor:
    """The threads of :func:`framewise` and of other array work that leaves the interpreter
    (idle threads sleep: no CPU is spent waiting)."""
    workers = max(1, min(ANALYSIS_CHUNKS, os.cpu_count() or 1))
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="world")


def framewise(analyses: list[Callable], x: np.ndarray, f0: np.ndarray, times: np.ndarray,
              sample_rate: int, **kwargs) -> list[np.ndarray]:
    """Each of ``analyses`` (frame-by-frame WORLD analyses: ``pyworld.stonemask``,
    ``cheaptrick``, ``d4c``) of the (frames,) ``f0`` at ``times`` seconds, computed on
    :data:`ANALYSIS_CHUNKS` chunks of frames on parallel threads (pyworld releases the GIL: about
    half the wall time on 2 cores) and concatenated along the frames.

    CheapTrick and D4C seed WORLD's tiny safeguard noise afresh on every call, so their values
    depend on the chunks: the split is fixed (not the core count), and the same input gives the
    same output on every machine.
    """
    x = np.ascontiguousarray(x, np.float64)
    chunks = [c for c in np.array_split(np.arange(len(f0)), ANALYSIS_CHUNKS) if len(c)]
    jobs = [(analysis, np.ascontiguousarray(f0[c], np.float64), np.ascontiguousarray(times[c]))
            for analysis in analyses for c in chunks]
    parts = list(analysis_pool().map(
        lambda job: job[0](x, job[1], job[2], sample_rate, **kwargs), jobs))
    return [np.concatenate(parts[k * len(chunks):(k + 1) * len(chunks)])
            for k in range(len(analyses))]


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
    return framewise([pyworld.stonemask], x, f0, times, sample_rate)[0]


def refine_f0(audio: np.ndarray, sample_rate: int, f0: np.ndarray, hop: float = 0.005) -> np.ndarray:
    """(frames,) F0 in Hertz refined on ``audio`` by WORLD's StoneMask (voicing kept as given)."""
    pyworld = import_pyworld()
    x = np.ascontiguousarray(audio, dtype=np.float64)
    f0 = np.asarray(f0, dtype=np.float64)
    return framewise([pyworld.stonemask], x, f0, np.arange(len(f0)) * hop, sample_rate)[0]


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
