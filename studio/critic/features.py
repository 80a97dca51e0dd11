"""Acoustic features of the eGeMAPS kind, computed with parselmouth (Praat), pyworld and numpy.

Follows the parameter groups of the Geneva Minimalistic Acoustic Parameter Set (F. Eyben et al.,
"The Geneva Minimalistic Acoustic Parameter Set (GeMAPS) for voice research and affective
computing", IEEE Trans. Affective Computing 7(2), 2016): pitch level and range, loudness,
spectral balance (alpha ratio, Hammarberg index, spectral slopes), MFCC 1-4, voice quality (HNR,
jitter, shimmer, aperiodicity), formants, and timing (voiced-segment rate and lengths). openSMILE
itself is licensed for non-commercial use only, so the product computes its own versions.

Clips in the training data are peak-normalised, so absolute level is meaningless: loudness
features are in dB relative to the clip's loudest frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Analysis frame hop in seconds (as eGeMAPS).
HOP = 0.010
#: Analysis window in seconds for spectral features.
WINDOW = 0.025
#: Frames quieter than this many dB below the loudest frame are silence.
SILENCE_DB = 35.0


def _names() -> tuple[str, ...]:
    stats = ("mean", "std", "p20", "p50", "p80", "range", "rise", "fall")
    names = [f"f0_{s}" for s in stats]
    names += [f"loud_{s}" for s in stats]
    names += ["alpha_ratio_v", "alpha_ratio_u", "hammarberg_v", "hammarberg_u",
              "slope_0_500_v", "slope_500_1500_v", "slope_0_500_u", "slope_500_1500_u",
              "centroid_v", "centroid_u", "flux_v", "flux_std_v"]
    names += [f"mfcc{k}_{s}" for k in range(1, 5) for s in ("mean", "std")]
    names += ["hnr_mean", "hnr_std", "jitter", "shimmer", "aperiodicity"]
    names += ["f1_mean", "f2_mean", "f3_mean", "f1_bw"]
    names += ["voiced_rate", "voiced_len_mean", "voiced_len_std", "unvoiced_len_mean",
              "loud_peak_rate", "voiced_share", "active_dur"]
    return tuple(names)


#: Names of the feature vector's entries, in order.
FEATURE_NAMES: tuple[str, ...] = _names()


def _contour_stats(x: np.ndarray, hop: float) -> list[float]:
    """mean, std, 20/50/80th percentile, 20-80 range, mean rising and falling slope (per s)."""
    if len(x) < 2:
        return [0.0] * 8
    p20, p50, p80 = np.percentile(x, [20, 50, 80])
    d = np.diff(x) / hop
    rise = float(d[d > 0].mean()) if np.any(d > 0) else 0.0
    fall = float(-d[d < 0].mean()) if np.any(d < 0) else 0.0
    return [float(x.mean()), float(x.std()), float(p20), float(p50), float(p80),
            float(p80 - p20), rise, fall]


def _segments(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) index pairs of the runs of True in a boolean array."""
    m = np.concatenate([[False], mask.astype(bool), [False]])
    edges = np.flatnonzero(np.diff(m.astype(np.int8)))
    return list(zip(edges[::2], edges[1::2]))


def _mel_filterbank(sr: int, n_fft: int, n_mels: int = 26, fmax: float = 8000.0) -> np.ndarray:
    """(n_mels, n_fft//2+1) triangular HTK-mel filters up to ``fmax`` Hz."""
    mel = lambda f: 2595.0 * np.log10(1.0 + f / 700.0)  # noqa: E731
    inv = lambda m: 700.0 * (10 ** (m / 2595.0) - 1.0)  # noqa: E731
    edges = inv(np.linspace(mel(20.0), mel(min(fmax, sr / 2)), n_mels + 2))
    freqs = np.linspace(0, sr / 2, n_fft // 2 + 1)
    fb = np.zeros((n_mels, len(freqs)))
    for i in range(n_mels):
        lo, c, hi = edges[i], edges[i + 1], edges[i + 2]
        fb[i] = np.clip(np.minimum((freqs - lo) / (c - lo), (hi - freqs) / (hi - c)), 0, None)
    return fb


def _band_slope(freqs: np.ndarray, db: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """(frames,) least-squares slope of the dB spectrum between lo and hi Hz, in dB/kHz."""
    sel = (freqs >= lo) & (freqs <= hi)
    f = freqs[sel] / 1000.0
    f = f - f.mean()
    return (db[:, sel] - db[:, sel].mean(1, keepdims=True)) @ f / (f @ f)


def harmonicity(x: np.ndarray, sr: int, min_pitch: float = 75.0,
                silence: float = 0.1) -> np.ndarray:
    """(frames,) harmonics-to-noise ratio in dB of each non-silent frame (hop :data:`HOP`).

    The cross-correlation method of Praat's "To Harmonicity (cc)" (P. Boersma, "Accurate
    short-term analysis of the fundamental frequency and the harmonics-to-noise ratio of a sampled
    sound", IFA Proceedings 17, 1993), vectorised with FFTs: a window of one period of
    ``min_pitch`` Hz is correlated with the signal that follows it; r is the highest normalised
    peak (parabolically interpolated) at a lag up to that period; HNR = 10 log10(r / (1 - r)).
    Frames whose peak is below ``silence`` times the recording's peak are left out. Tracks
    Praat's values (r = 0.97 on EmoDB clip means) at a fifteenth of its cost.
    x : (samples,) float mono; sr in Hertz.
    """
    w = int(round(sr / min_pitch))
    step = int(round(HOP * sr))
    starts = np.arange(0, len(x) - 2 * w, step)
    if starts.size == 0:
        return np.zeros(0)
    seg = x[starts[:, None] + np.arange(2 * w)[None, :]]          # (frames, 2w)
    keep = np.abs(seg[:, :w]).max(1) >= silence * np.abs(x).max()
    seg = seg[keep]
    n_fft = 1 << int(np.ceil(np.log2(3 * w)))
    spec = np.conj(np.fft.rfft(seg[:, :w], n_fft)) * np.fft.rfft(seg, n_fft)
    corr = np.fft.irfft(spec, n_fft)[:, :w + 1]                    # lags 0..w samples
    energy = np.concatenate([np.zeros((len(seg), 1)), np.cumsum(seg ** 2, 1)], 1)
    lagged = energy[:, w:2 * w + 1] - energy[:, :w + 1]            # energy of seg[lag:lag+w]
    r = corr / np.sqrt(np.maximum(lagged * lagged[:, :1], 1e-20))
    left, mid, right = r[:, 1:-2], r[:, 2:-1], r[:, 3:]
    is_peak = (mid > left) & (mid >= right)
    curve = np.minimum(left - 2 * mid + right, -1e-12)
    vertex = mid - (left - right) ** 2 / (8 * curve)
    best = np.clip(np.where(is_peak, np.minimum(vertex, 1.0), 0.0).max(1), 1e-4, 1 - 1e-4)
    return 10 * np.log10(best / (1 - best))


@dataclass(frozen=True)
class Frames:
    """What :func:`analyse_frames` reads of a recording: the frames every feature group uses."""

    x: np.ndarray
    """(samples,) float64 recording, peak-normalised."""
    sample_rate: int
    n_fft: int
    """FFT size of the spectral frames (the next power of two of :data:`WINDOW`)."""
    power: np.ndarray
    """(frames, n_fft // 2 + 1) power spectra of Hamming-windowed frames every :data:`HOP` s."""
    freqs: np.ndarray
    """(n_fft // 2 + 1,) bin frequencies, Hertz."""
    energy_db: np.ndarray
    """(frames,) frame energy in dB re the loudest frame."""
    active: np.ndarray
    """(frames,) bool: above the silence threshold."""
    frame_times: np.ndarray
    """(frames,) centre of each frame, seconds."""
    pitch: np.ndarray
    """(pitch frames,) Praat's F0, Hertz (0 unvoiced), every :data:`HOP` s."""
    f0_frames: np.ndarray
    """(frames,) F0 at the spectral frames, Hertz (0 unvoiced)."""
    voiced: np.ndarray
    """(frames,) bool: voiced and active."""


def analyse_frames(audio: np.ndarray, sample_rate: int) -> Frames:
    """The spectral frames, energy and Praat pitch of a recording (the part of
    :func:`extract_features` every later group reads).

    audio : (samples,) float mono in [-1, 1]; sample_rate in Hertz (8 kHz or more).
    Raises ValueError when the recording has no voiced speech.
    """
    import parselmouth

    x = np.asarray(audio, np.float64).ravel()
    if x.size < int(0.2 * sample_rate):
        raise ValueError("recording shorter than 0.2 s")
    peak = np.abs(x).max()
    if peak <= 0:
        raise ValueError("recording is silent")
    x = x / peak  # level carries no information here (training clips are peak-normalised)
    sr = int(sample_rate)

    hop, win = int(round(HOP * sr)), int(round(WINDOW * sr))
    n_fft = 1 << int(np.ceil(np.log2(win)))
    n_frames = 1 + max(0, (len(x) - win) // hop)
    idx = np.arange(win)[None, :] + hop * np.arange(n_frames)[:, None]
    frames = x[idx] * np.hamming(win)[None, :]
    power = np.abs(np.fft.rfft(frames, n_fft)) ** 2 + 1e-12
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    energy_db = 10 * np.log10(power.sum(1))
    energy_db -= energy_db.max()
    active = energy_db > -SILENCE_DB
    if active.sum() < 5:
        raise ValueError("recording has no speech above the silence threshold")

    # Praat's autocorrelation pitch
    pitch = parselmouth.Sound(x, sampling_frequency=sr).to_pitch_ac(
        time_step=HOP, pitch_floor=75.0, pitch_ceiling=600.0)
    f0 = pitch.selected_array["frequency"]
    f0_times = pitch.xs()
    frame_times = (np.arange(n_frames) * hop + win / 2) / sr
    f0_frames = np.interp(frame_times, f0_times, f0, left=0, right=0)
    f0_frames[np.interp(frame_times, f0_times, (f0 > 0).astype(float), left=0, right=0) < 0.5] = 0
    voiced = (f0_frames > 0) & active
    if voiced.sum() < 5:
        raise ValueError("recording has no voiced speech")
    return Frames(x, sr, n_fft, power, freqs, energy_db, active, frame_times, f0, f0_frames,
                  voiced)


def voiced_aperiodicity(frames: Frames) -> float:
    """Mean aperiodicity (pyworld D4C, linear) below 4 kHz over the voiced frames: breathiness.

    Half of :func:`extract_features`' time, all of it outside the interpreter: the critic
    starts it while a take's face and body are animated (``Critic.read_ahead``).
    """
    import warnings

    with warnings.catch_warnings():  # pyworld imports the deprecated pkg_resources
        warnings.simplefilter("ignore", UserWarning)
        import pyworld

    t_w = np.arange(len(frames.f0_frames)) * HOP
    ap = pyworld.d4c(frames.x, frames.f0_frames.astype(np.float64), t_w, frames.sample_rate,
                     fft_size=frames.n_fft * 2)
    ap_freqs = np.linspace(0, frames.sample_rate / 2, ap.shape[1])
    return float(ap[frames.voiced][:, ap_freqs < 4000].mean())


def read_voice(audio: np.ndarray, sample_rate: int) -> tuple[Frames, float]:
    """(:func:`analyse_frames`, :func:`voiced_aperiodicity`) of a recording: what
    :func:`features_of` reads, the part of the features worth starting early (the critic's
    ``read_ahead``). Raises ValueError as :func:`analyse_frames` does."""
    frames = analyse_frames(audio, sample_rate)
    return frames, voiced_aperiodicity(frames)


def extract_features(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """(len(FEATURE_NAMES),) float64 feature vector of one recording.

    audio : (samples,) float mono in [-1, 1]; sample_rate in Hertz (8 kHz or more).
    Raises ValueError when the recording has no voiced speech.
    """
    return features_of(*read_voice(audio, sample_rate))


def features_of(frames: Frames, aperiodicity: float) -> np.ndarray:
    """(len(FEATURE_NAMES),) feature vector of analysed ``frames`` whose
    :func:`voiced_aperiodicity` is ``aperiodicity``."""
    import parselmouth

    x, sr, power, freqs = frames.x, frames.sample_rate, frames.power, frames.freqs
    energy_db, active, voiced = frames.energy_db, frames.active, frames.voiced
    snd = parselmouth.Sound(x, sampling_frequency=sr)

    # --- pitch, semitones re 27.5 Hz -----------------------------------------------------------
    f0 = frames.pitch
    st = 12.0 * np.log2(f0[f0 > 0] / 27.5)
    feats = _contour_stats(st, HOP)

    # --- loudness: frame energy in dB re the loudest frame, over active frames ------------------
    loud = energy_db[active]
    feats += _contour_stats(loud, HOP)

    # --- spectral balance, voiced and unvoiced active frames ----------------------------------
    db = 10 * np.log10(power)

    def band(lo: float, hi: float) -> np.ndarray:
        sel = (freqs >= lo) & (freqs < hi)
        return power[:, sel].sum(1)

    alpha = 10 * np.log10(band(1000, 5000) / band(50, 1000))  # eGeMAPS: high over low band
    hamm = db[:, freqs < 2000].max(1) - db[:, (freqs >= 2000) & (freqs < 5000)].max(1)
    s1 = _band_slope(freqs, db, 0, 500)
    s2 = _band_slope(freqs, db, 500, 1500)
    centroid = (power * freqs).sum(1) / power.sum(1) / 1000.0
    norm_spec = power / power.sum(1, keepdims=True)
    flux = np.concatenate([[0.0], (np.diff(norm_spec, axis=0) ** 2).sum(1)])
    unvoiced = active & ~voiced
    uv = unvoiced if unvoiced.sum() >= 3 else active

    def m(v: np.ndarray, sel: np.ndarray) -> float:
        return float(v[sel].mean())

    feats += [m(alpha, voiced), m(alpha, uv), m(hamm, voiced), m(hamm, uv),
              m(s1, voiced), m(s2, voiced), m(s1, uv), m(s2, uv),
              m(centroid, voiced), m(centroid, uv), m(flux, voiced) * 100,
              float(flux[voiced].std()) * 100]

    # --- MFCC 1-4 over active frames ---------------------------------------------------------
    mel = np.log(power @ _mel_filterbank(sr, frames.n_fft).T + 1e-10)
    k = np.arange(26)
    dct = np.cos(np.pi / 26 * (k[None, :] + 0.5) * np.arange(1, 5)[:, None])
    mfcc = mel[active] @ dct.T
    for c in range(4):
        feats += [float(mfcc[:, c].mean()), float(mfcc[:, c].std())]

    # --- voice quality ------------------------------------------------------------------------
    hnr = harmonicity(x, sr)
    feats += [float(hnr.mean()) if hnr.size else 0.0, float(hnr.std()) if hnr.size else 0.0]
    points = parselmouth.praat.call(snd, "To PointProcess (periodic, cc)", 75.0, 600.0)
    jitter = parselmouth.praat.call(points, "Get jitter (local)", 0, 0, 0.0001, 0.02, 1.3)
    shimmer = parselmouth.praat.call([snd, points], "Get shimmer (local)", 0, 0, 0.0001, 0.02,
                                     1.3, 1.6)
    feats += [float(np.nan_to_num(jitter)) * 100, float(np.nan_to_num(shimmer)) * 100]
    feats += [aperiodicity]

    # --- formants (Burg) in voiced frames --------------------------------------------------------
    formant = snd.to_formant_burg(time_step=HOP, max_number_of_formants=5,
                                  maximum_formant=5500.0)
    vt = frames.frame_times[voiced]
    fm = []
    for n in (1, 2, 3):
        vals = np.array([formant.get_value_at_time(n, t) for t in vt[::2]])
        fm.append(float(np.nanmean(vals)) / 1000.0 if np.any(np.isfinite(vals)) else 0.0)
    bw = np.array([formant.get_bandwidth_at_time(1, t) for t in vt[::2]])
    feats += fm + [float(np.nanmean(bw)) / 1000.0 if np.any(np.isfinite(bw)) else 0.0]

    # --- timing ---------------------------------------------------------------------------------
    act_idx = np.flatnonzero(active)
    span = slice(act_idx[0], act_idx[-1] + 1)
    dur = (act_idx[-1] - act_idx[0] + 1) * HOP
    vseg = [(b - a) * HOP for a, b in _segments(voiced[span])]
    useg = [(b - a) * HOP for a, b in _segments(~voiced[span])]
    env = energy_db[span]
    peaks = np.flatnonzero((env[1:-1] > env[:-2]) & (env[1:-1] >= env[2:]) & (env[1:-1] > -25))
    # A loudness peak counts as a syllable nucleus when it stands 3 dB above the nearest dip.
    n_peaks, prev = 0, 0
    for p in peaks:
        if env[p + 1] - env[prev:p + 2].min() >= 3.0:
            n_peaks += 1
            prev = p + 1
    feats += [len(vseg) / dur, float(np.mean(vseg)), float(np.std(vseg)),
              float(np.mean(useg)) if useg else 0.0, n_peaks / dur, float(voiced[span].mean()),
              dur]
    out = np.asarray(feats, np.float64)
    assert out.shape == (len(FEATURE_NAMES),)
    return np.nan_to_num(out)
