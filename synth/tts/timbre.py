"""A character's voice: a :class:`~controllers.character.VoiceSpec` applied to WORLD parameters.

The built-in cast shares one neural voice (piper's joe); each character is that voice with
another speaker's pitch, vocal-tract length and timbre, changed in the WORLD domain (F0,
CheapTrick envelope, D4C aperiodicity) and resynthesised. The same change applies to every
reading of a character, neutral and emotional alike, so a character stays one person in every
emotion and the emotion models (which work relative to the voice's own neutral reading) carry
over unchanged. The parameters of the built-in characters are learned from real speakers by
:mod:`synth.tts.fit_voices`.

Frames are WORLD frames (one per hop); an envelope or aperiodicity has ``fft_size // 2 + 1``
bins from 0 Hz to the Nyquist frequency. The envelope is a power spectrum: a gain of ``g`` dB
multiplies it by ``10 ** (g / 10)``.
"""

from __future__ import annotations

import numpy as np

from controllers.character import VoiceSpec
from synth.tts.acoustics import F0_CEIL_HZ, F0_FLOOR_HZ

#: Centre of the timbre tilt's transition, Hertz, and its width in octaves (as the renderer's
#: emotional tilt: the band above ~2 kHz gains ``tilt_db``, the band below 500 Hz none).
TILT_CORNER_HZ = 1000.0
TILT_OCTAVES = 2.0
#: Floor of an envelope value before taking logarithms (WORLD's envelopes are > 0).
_TINY = 1e-30


def hz_to_mel(hz):
    """Mel scale (O'Shaughnessy's 2595 log10(1 + f / 700)) of frequencies in Hertz."""
    return 2595.0 * np.log10(1.0 + np.asarray(hz, np.float64) / 700.0)


def mel_to_hz(mel):
    """Inverse of :func:`hz_to_mel`."""
    return 700.0 * (10.0 ** (np.asarray(mel, np.float64) / 2595.0) - 1.0)


def mel_band_centres(n_bands: int, sample_rate: int) -> np.ndarray:
    """(n_bands,) centre frequencies (Hz) of ``n_bands`` bands equally spaced in mel from 0 Hz
    to the Nyquist frequency (band ``k`` spans ``[k, k + 1] / n_bands`` of the mel range)."""
    top = hz_to_mel(sample_rate / 2.0)
    return mel_to_hz((np.arange(n_bands) + 0.5) * top / n_bands)


def band_gains_db(bands_db, sample_rate: int, n_bins: int) -> np.ndarray:
    """(n_bins,) gain in dB at each envelope bin of per-mel-band gains ``bands_db`` (n_bands,):
    linear in mel between band centres, held beyond the first and last."""
    bands_db = np.asarray(bands_db, np.float64)
    if bands_db.size == 0:
        return np.zeros(n_bins)
    freqs = np.linspace(0.0, sample_rate / 2.0, n_bins)
    centres = hz_to_mel(mel_band_centres(len(bands_db), sample_rate))
    return np.interp(hz_to_mel(freqs), centres, bands_db)


def band_means_db(log_spectrum_db: np.ndarray, sample_rate: int, n_bands: int) -> np.ndarray:
    """(..., n_bands) mean of ``log_spectrum_db`` (..., n_bins; dB from 0 Hz to Nyquist) over
    each of ``n_bands`` mel bands (the measuring counterpart of :func:`band_gains_db`)."""
    x = np.asarray(log_spectrum_db, np.float64)
    n_bins = x.shape[-1]
    mel = hz_to_mel(np.linspace(0.0, sample_rate / 2.0, n_bins))
    index = np.minimum((mel / mel[-1] * n_bands).astype(int), n_bands - 1)
    out = np.stack([x[..., index == k].mean(axis=-1) for k in range(n_bands)], axis=-1)
    return out


def tilt_gains_db(tilt_db: float, sample_rate: int, n_bins: int) -> np.ndarray:
    """(n_bins,) dB: 0 below ~500 Hz rising (log-frequency) to ``tilt_db`` above ~2 kHz."""
    freqs = np.linspace(0.0, sample_rate / 2.0, n_bins)
    band = np.clip(np.log2(np.maximum(freqs, 1.0) / TILT_CORNER_HZ) / TILT_OCTAVES + 0.5, 0, 1)
    return tilt_db * band


def shift_f0(f0_hz: np.ndarray, pitch_shift_st: float, pitch_range: float,
             centre_hz: float | None = None) -> np.ndarray:
    """(frames,) F0 in Hertz moved by ``pitch_shift_st`` semitones, its excursions around
    ``centre_hz`` (default: the median of its voiced frames) scaled by ``pitch_range``
    (in semitones); 0 (unvoiced) stays 0; clipped to the studio's F0 search range."""
    f0 = np.asarray(f0_hz, np.float64)
    out = np.zeros_like(f0)
    voiced = f0 > 0
    if not voiced.any():
        return out
    st = 12.0 * np.log2(f0[voiced])
    centre = 12.0 * np.log2(centre_hz) if centre_hz else float(np.median(st))
    new = centre + pitch_range * (st - centre) + pitch_shift_st
    out[voiced] = np.clip(2.0 ** (new / 12.0), F0_FLOOR_HZ, F0_CEIL_HZ)
    return out


def warp_envelope(envelope: np.ndarray, factor: float) -> np.ndarray:
    """(frames, bins) envelope with every frequency scaled by ``factor``: the value at ``f``
    becomes the input's at ``f / factor`` (interpolated in log power; held at the Nyquist
    frequency). ``factor`` > 1 moves formants up: a vocal tract ``1 / factor`` times as long."""
    env = np.asarray(envelope, np.float64)
    if factor == 1.0:
        return env.copy()
    n_bins = env.shape[1]
    source = np.clip(np.arange(n_bins) / factor, 0.0, n_bins - 1.0)
    lo = np.floor(source).astype(int)
    hi = np.minimum(lo + 1, n_bins - 1)
    w = source - lo
    log_env = np.log(np.maximum(env, _TINY))
    return np.exp((1.0 - w) * log_env[:, lo] + w * log_env[:, hi])


def envelope_gains_db(voice: VoiceSpec, sample_rate: int, n_bins: int) -> np.ndarray:
    """(n_bins,) the voice's fixed spectral correction in dB: its mel-band ``envelope_db`` plus
    its ``tilt_db``."""
    return (band_gains_db(voice.envelope_db, sample_rate, n_bins)
            + tilt_gains_db(voice.tilt_db, sample_rate, n_bins))


def apply_timbre(voice: VoiceSpec, f0_hz: np.ndarray, envelope: np.ndarray,
                 aperiodicity: np.ndarray, sample_rate: int,
                 centre_hz: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The WORLD parameters of one reading turned into ``voice``'s.

    Parameters
    ----------
    voice : the character's voice (``rate`` is not applied here: durations come from piper).
    f0_hz : (frames,) F0 in Hertz, 0 where unvoiced.
    envelope : (frames, bins) CheapTrick spectral envelope (power).
    aperiodicity : (frames, bins) D4C aperiodicity, linear in [0, 1].
    sample_rate : Hertz.
    centre_hz : F0 around which ``pitch_range`` scales excursions; pass the NEUTRAL reading's
        median so that every take of a line maps F0 through the same function (an emotional
        take's own median would hide its level change). Default: this reading's median.

    Returns
    -------
    (f0, envelope, aperiodicity) : new arrays of the same shapes. The envelope is warped by
    ``formant_factor``, corrected by ``envelope_db`` and ``tilt_db``, then rescaled so that each
    frame keeps its power (loudness stays what the reading and its emotion made it; only
    timbre changes). ``breathiness`` is added to the aperiodicity.
    """
    f0 = shift_f0(f0_hz, voice.pitch_shift_st, voice.pitch_range, centre_hz)
    env = np.asarray(envelope, np.float64)
    before = env.sum(axis=1, keepdims=True)
    new = warp_envelope(env, voice.formant_factor)
    gains = envelope_gains_db(voice, sample_rate, env.shape[1])
    if np.any(gains):
        new = new * 10.0 ** (gains / 10.0)[None, :]
    new *= before / np.maximum(new.sum(axis=1, keepdims=True), _TINY)
    ap = np.asarray(aperiodicity, np.float64)
    if voice.breathiness:
        ap = np.clip(ap + voice.breathiness, 1e-3, 1.0)
    else:
        ap = ap.copy()
    return f0, np.ascontiguousarray(new), np.ascontiguousarray(ap)
