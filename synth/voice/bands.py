"""The spectral coordinates of the voice model: mel bands, their cepstrum, and phone classes.

The WORLD spectral envelope (CheapTrick, power, ``(frames, fft_size // 2 + 1)``) is summarised by
the power in :data:`N_BANDS` mel-spaced bands between :data:`LOW_HZ` and :data:`HIGH_HZ` (EmoDB's
shared copy was resampled from 16 kHz, so nothing above 8 kHz carries information), each frame's
band powers normalised to sum to one (the *shape* of the spectrum, not its level: loudness belongs
to the prosody model) and expressed in dB. A change of that shape is stored as the first
:data:`N_CEPSTRA` coefficients of its orthonormal DCT-II over the bands (a mel-cepstrum delta:
smooth across frequency by construction).

The aperiodicity (D4C, linear 0..1 per bin) is summarised in dB per :data:`AP_EDGES_HZ` band.

Frames fall in three :data:`PHONE_CLASSES`: voiced frames of vowels, voiced frames of consonants
(nasals, liquids, voiced obstruents), and unvoiced speech frames (fricatives, bursts, devoiced
stretches). Pauses belong to none.
"""

from __future__ import annotations

import functools

import numpy as np

#: Number of mel bands the envelope is summarised in.
N_BANDS = 24
#: Lower and upper edge of the banded region, Hertz.
LOW_HZ, HIGH_HZ = 50.0, 8000.0
#: Cepstral coefficients kept per phone class (of the DCT over :data:`N_BANDS` bands).
N_CEPSTRA = 12
#: Edges of the aperiodicity bands, Hertz.
AP_EDGES_HZ: tuple[float, ...] = (0.0, 1500.0, 4000.0, 8000.0)
#: Phone classes, in column order.
PHONE_CLASSES: tuple[str, ...] = ("vowel", "voiced_consonant", "unvoiced")
#: Phone classes whose aperiodicity is modelled (unvoiced frames are aperiodic throughout).
AP_CLASSES: tuple[str, ...] = ("vowel", "voiced_consonant")


def hz_to_mel(hz: np.ndarray | float) -> np.ndarray:
    """Mel (O'Shaughnessy 1987) of frequencies in Hertz."""
    return 2595.0 * np.log10(1.0 + np.asarray(hz, np.float64) / 700.0)


def mel_to_hz(mel: np.ndarray | float) -> np.ndarray:
    """Hertz of mel values."""
    return 700.0 * (10.0 ** (np.asarray(mel, np.float64) / 2595.0) - 1.0)


def band_edges() -> np.ndarray:
    """(N_BANDS + 1,) band edges in Hertz, equally spaced in mel."""
    return mel_to_hz(np.linspace(hz_to_mel(LOW_HZ), hz_to_mel(HIGH_HZ), N_BANDS + 1))


def band_centres() -> np.ndarray:
    """(N_BANDS,) band centres in Hertz (mel midpoints)."""
    edges = hz_to_mel(band_edges())
    return mel_to_hz(0.5 * (edges[:-1] + edges[1:]))


@functools.lru_cache(maxsize=8)
def _pooling(n_bins: int, sample_rate: int) -> np.ndarray:
    freqs = np.linspace(0.0, sample_rate / 2.0, n_bins)
    edges = band_edges()
    pool = np.zeros((n_bins, N_BANDS))
    for b in range(N_BANDS):
        inside = (freqs >= edges[b]) & (freqs < edges[b + 1])
        if not inside.any():  # a band narrower than a bin: take the nearest bin
            inside = np.abs(freqs - 0.5 * (edges[b] + edges[b + 1])) == \
                np.abs(freqs - 0.5 * (edges[b] + edges[b + 1])).min()
        pool[inside, b] = 1.0 / inside.sum()
    pool.setflags(write=False)
    return pool


def band_shape_db(envelope: np.ndarray, sample_rate: int) -> np.ndarray:
    """(frames, N_BANDS) spectral shape in dB: mean power per band, each frame normalised to a
    total of one over the bands. ``envelope`` is (frames, bins) WORLD power."""
    power = np.asarray(envelope, np.float64) @ _pooling(envelope.shape[1], sample_rate)
    power = power / np.maximum(power.sum(axis=1, keepdims=True), 1e-30)
    return 10.0 * np.log10(np.maximum(power, 1e-12))


@functools.lru_cache(maxsize=1)
def _dct() -> np.ndarray:
    """(N_BANDS, N_BANDS) orthonormal DCT-II matrix (rows = coefficients)."""
    k = np.arange(N_BANDS)[:, None]
    n = np.arange(N_BANDS)[None, :]
    m = np.cos(np.pi * k * (2 * n + 1) / (2 * N_BANDS)) * np.sqrt(2.0 / N_BANDS)
    m[0] /= np.sqrt(2.0)
    m.setflags(write=False)
    return m


def to_cepstrum(band_db: np.ndarray) -> np.ndarray:
    """(..., N_CEPSTRA) the first DCT coefficients of (..., N_BANDS) band values."""
    return np.asarray(band_db, np.float64) @ _dct()[:N_CEPSTRA].T


def from_cepstrum(cepstrum: np.ndarray) -> np.ndarray:
    """(..., N_BANDS) band values of (..., N_CEPSTRA) coefficients (the rest taken as zero)."""
    return np.asarray(cepstrum, np.float64) @ _dct()[:N_CEPSTRA]


@functools.lru_cache(maxsize=8)
def band_to_bins(n_bins: int, sample_rate: int) -> np.ndarray:
    """(N_BANDS, n_bins) linear interpolation of band values onto FFT bins, along mel.

    Below the first band centre the first value holds; above the last centre the last value
    holds, up to Nyquist: EmoDB says nothing above 8 kHz, so the top band's change is carried on
    unchanged (the same gain as at 8 kHz, no extrapolated slope).
    """
    mel_bins = hz_to_mel(np.linspace(0.0, sample_rate / 2.0, n_bins))
    centres = hz_to_mel(band_centres())
    out = np.zeros((N_BANDS, n_bins))
    for b in range(N_BANDS):
        unit = np.zeros(N_BANDS)
        unit[b] = 1.0
        out[b] = np.interp(mel_bins, centres, unit)
    out.setflags(write=False)
    return out


@functools.lru_cache(maxsize=8)
def ap_pooling(n_bins: int, sample_rate: int) -> np.ndarray:
    """(n_bins, n_ap_bands) averaging matrix of the :data:`AP_EDGES_HZ` bands."""
    freqs = np.linspace(0.0, sample_rate / 2.0, n_bins)
    n = len(AP_EDGES_HZ) - 1
    pool = np.zeros((n_bins, n))
    for b in range(n):
        inside = (freqs >= AP_EDGES_HZ[b]) & (freqs < AP_EDGES_HZ[b + 1])
        pool[inside, b] = 1.0 / max(inside.sum(), 1)
    pool.setflags(write=False)
    return pool


@functools.lru_cache(maxsize=8)
def ap_to_bins(n_bins: int, sample_rate: int) -> np.ndarray:
    """(n_ap_bands, n_bins) interpolation of aperiodicity band values onto bins (held at both
    ends, so above 8 kHz the top band's change holds)."""
    centres = 0.5 * (np.asarray(AP_EDGES_HZ[:-1]) + np.asarray(AP_EDGES_HZ[1:]))
    freqs = np.linspace(0.0, sample_rate / 2.0, n_bins)
    out = np.zeros((len(centres), n_bins))
    for b in range(len(centres)):
        unit = np.zeros(len(centres))
        unit[b] = 1.0
        out[b] = np.interp(freqs, centres, unit)
    out.setflags(write=False)
    return out


def ap_band_db(aperiodicity: np.ndarray, sample_rate: int) -> np.ndarray:
    """(frames, n_ap_bands) mean aperiodicity per band in dB (20 log10 of D4C's linear ratio)."""
    ap = np.clip(np.asarray(aperiodicity, np.float64), 1e-4, 1.0)
    return 20.0 * np.log10(ap) @ ap_pooling(ap.shape[1], sample_rate)


def n_ap_bands() -> int:
    """Number of aperiodicity bands."""
    return len(AP_EDGES_HZ) - 1


def delta_size() -> int:
    """Length of one voice delta vector: cepstra of every phone class, then aperiodicity bands of
    each :data:`AP_CLASSES` class."""
    return len(PHONE_CLASSES) * N_CEPSTRA + len(AP_CLASSES) * n_ap_bands()


def delta_names() -> list[str]:
    """Names of the delta vector's entries, in order."""
    names = [f"{c}_c{k}" for c in PHONE_CLASSES for k in range(N_CEPSTRA)]
    names += [f"{c}_ap{b}" for c in AP_CLASSES for b in range(n_ap_bands())]
    return names


def split_delta(delta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(..., D) delta -> (cepstra (..., n_classes, N_CEPSTRA),
    aperiodicity (..., n_ap_classes, n_ap_bands))."""
    delta = np.asarray(delta)
    n_cep = len(PHONE_CLASSES) * N_CEPSTRA
    cep = delta[..., :n_cep].reshape(*delta.shape[:-1], len(PHONE_CLASSES), N_CEPSTRA)
    ap = delta[..., n_cep:].reshape(*delta.shape[:-1], len(AP_CLASSES), n_ap_bands())
    return cep, ap
