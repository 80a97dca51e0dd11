"""Beat consistency (BC) between speech and motion, as in co-speech gesture evaluation.

Audio beats are onsets of the speech (spectral flux peaks); motion beats are local minima of
the arms' speed (kinematic beats: the hands stop or turn). The score follows the AIST++ /
BEAT definition (Li et al. 2021; Liu et al. 2022): for every audio beat, the distance to the
nearest motion beat, scored ``exp(-d^2 / (2 sigma^2))`` and averaged over the audio beats.
"""

from __future__ import annotations

import numpy as np

from synth.contracts import BodyAnimation
from synth.gesture.checks import joint_positions
from synth.gesture.rig import SIDES, BodyRig

#: The BEAT benchmark's sigma, seconds.
BC_SIGMA = 0.1


def audio_onsets(audio: np.ndarray, sample_rate: int, hop: float = 0.01,
                 min_gap: float = 0.1) -> np.ndarray:
    """(k,) onset times in seconds of a mono signal: peaks of the half-wave rectified log
    spectral flux, above the flux's mean + 0.5 std and at least ``min_gap`` apart."""
    from scipy.signal import find_peaks, stft  # here: importing scipy.signal costs 0.4-0.8 s

    audio = np.asarray(audio, dtype=np.float64)
    nper = int(round(0.025 * sample_rate))
    step = max(1, int(round(hop * sample_rate)))
    if len(audio) < nper * 2:
        return np.zeros(0)
    _, times, spec = stft(audio, fs=sample_rate, nperseg=nper, noverlap=nper - step,
                          boundary=None, padded=False)
    logmag = np.log1p(100.0 * np.abs(spec))
    flux = np.maximum(np.diff(logmag, axis=1), 0.0).sum(axis=0)
    flux = np.convolve(flux, np.ones(3) / 3, mode="same")
    peaks, _ = find_peaks(flux, height=flux.mean() + 0.5 * flux.std(),
                          distance=max(1, int(min_gap / hop)))
    return times[1:][peaks]


def arm_speed(anim: BodyAnimation, rig: BodyRig | None = None) -> np.ndarray:
    """(frames,) summed speed (cm/s) of wrists and elbows; frame i is the speed at i/fps."""
    rig = rig or BodyRig.from_animation(anim)
    pos = joint_positions(anim, rig)
    joints = [rig.index(f"{s}{j}") for s in SIDES for j in ("Hand", "ForeArm")]
    vel = np.gradient(pos[:, joints], axis=0) * anim.fps
    return np.linalg.norm(vel, axis=-1).sum(axis=1)


def motion_beats(anim: BodyAnimation, rig: BodyRig | None = None,
                 min_prominence: float = 5.0) -> np.ndarray:
    """(k,) times in seconds of the local minima of the arms' summed speed whose prominence is
    at least ``min_prominence`` cm/s (idle drift is not a beat)."""
    from scipy.signal import find_peaks

    speed = arm_speed(anim, rig)
    minima, _ = find_peaks(-speed, prominence=min_prominence)
    # Sub-frame position of each minimum: vertex of the parabola through its neighbours.
    left, mid, right = speed[minima - 1], speed[minima], speed[minima + 1]
    curvature = left - 2 * mid + right
    shift = np.where(curvature > 1e-9, 0.5 * (left - right) / np.maximum(curvature, 1e-9), 0.0)
    return (minima + np.clip(shift, -0.5, 0.5)) / anim.fps


def beat_consistency(audio_beats: np.ndarray, motion_beats: np.ndarray,
                     sigma: float = BC_SIGMA) -> float:
    """Mean over audio beats of ``exp(-d^2 / (2 sigma^2))``, d the distance (s) to the nearest
    motion beat; 0 when either is empty."""
    audio_beats = np.asarray(audio_beats, dtype=np.float64)
    motion_beats = np.asarray(motion_beats, dtype=np.float64)
    if len(audio_beats) == 0 or len(motion_beats) == 0:
        return 0.0
    d = np.abs(audio_beats[:, None] - motion_beats[None, :]).min(axis=1)
    return float(np.mean(np.exp(-(d**2) / (2 * sigma**2))))
