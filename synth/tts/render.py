"""WORLD rendering of per-syllable prosody offsets onto speech, then a limiter.

Durations are not touched here: they already came from the voice (``dur_scale``). This stage
re-synthesises the voice's audio with WORLD (pyworld: DIO + StoneMask, CheapTrick, D4C) after
changing, frame by frame,

* F0: the syllable's level (semitones), its span around the syllable mean, and an added slope;
* the spectral envelope: the syllable's gain (dB) and a tilt (high band vs low band, dB);
* the aperiodicity: breathiness (towards a fully aperiodic source, or away from it).

Per-syllable values become smooth frame curves (constant inside a syllable, interpolated across
pauses, then smoothed over ``smooth_s``), so emotion changes inside a line blend at the boundary.
Voice-quality attributes the offsets cannot express are rendered here: ``whisper`` removes every
voiced frame (a noise source only) and ``creaky`` adds slow F0 irregularity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from controllers.target import EmotionTarget
from synth.contracts import Syllable, Timeline
from synth.tts.acoustics import F0_CEIL_HZ, F0_FLOOR_HZ, f0_contour, import_pyworld

#: Column order of prosody offsets (mirrors ``synth.prosody.PROSODY_FEATURES``).
F0_LEVEL, F0_RANGE, F0_SLOPE, LOG_DURATION, PAUSE_AFTER, ENERGY, TILT, BREATHINESS = range(8)


@dataclass
class RenderConfig:
    """Settings of the WORLD renderer."""

    smooth_s: float = 0.04
    """Width of the smoothing window of the offset curves, seconds."""
    tilt_corner_hz: float = 1000.0
    """Centre of the tilt: bands above gain ``+tilt/2`` dB, bands below ``-tilt/2`` dB."""
    tilt_octaves: float = 2.0
    """Width (octaves) of the transition between the two tilt bands."""
    min_span_st: float = 1.0
    """Smallest syllable F0 span assumed when scaling the span, semitones."""
    range_factor_limits: tuple[float, float] = (0.2, 3.0)
    """Bounds of the factor on F0 excursions around a syllable's mean."""
    creak_jitter: float = 0.12
    """Relative F0 perturbation of fully creaky frames."""
    limiter_ceiling_dbfs: float = -1.0
    """Peak level the limiter allows, dBFS."""
    limiter_release_s: float = 0.05
    """Release time of the limiter, seconds."""


def syllable_curve(values: np.ndarray, syllables: Sequence[Syllable], n_frames: int,
                   hop: float, smooth_s: float = 0.0) -> np.ndarray:
    """(n_frames,) frame curve of per-syllable ``values`` (n_syllables,).

    Constant inside each syllable, linear across gaps between syllables, held at the ends,
    then smoothed with a Hann window of ``smooth_s`` seconds. NaN values are interpolated.
    """
    values = np.asarray(values, np.float64)
    if len(syllables) == 0:
        return np.zeros(n_frames)
    finite = np.isfinite(values)
    if not finite.any():
        return np.zeros(n_frames)
    if not finite.all():
        idx = np.arange(len(values))
        values = np.interp(idx, idx[finite], values[finite])
    # knots at each syllable's start and end frame (constant inside, linear between)
    xs, ys = [], []
    for s, v in zip(syllables, values):
        a, b = s.start / hop, max(s.end / hop - 1e-3, s.start / hop)
        xs += [a, b]
        ys += [v, v]
    order = np.argsort(xs, kind="stable")
    curve = np.interp(np.arange(n_frames), np.asarray(xs)[order], np.asarray(ys)[order])
    return _smooth(curve, smooth_s / hop)


def _attribute_curve(targets: Sequence[EmotionTarget], syllables: Sequence[Syllable],
                     name: str, value: str, n_frames: int, hop: float, smooth_s: float) -> np.ndarray:
    flags = np.array([1.0 if t.attribute(name) == value else 0.0 for t in targets])
    if not flags.any():
        return np.zeros(n_frames)
    return syllable_curve(flags, syllables, n_frames, hop, smooth_s)


def _fill_unvoiced(f0_st: np.ndarray) -> np.ndarray:
    voiced = np.isfinite(f0_st)
    if not voiced.any():
        return np.zeros_like(f0_st)
    idx = np.arange(len(f0_st))
    return np.interp(idx, idx[voiced], f0_st[voiced])


def shape_f0(f0_hz: np.ndarray, timeline: Timeline, offsets: np.ndarray,
             config: RenderConfig) -> np.ndarray:
    """(frames,) new F0 in Hertz (0 stays 0) after each syllable's level, span and slope offsets.

    ``timeline``: syllable times of the audio ``f0_hz`` belongs to; ``offsets`` (n_syllables, 8).
    """
    n, hop = len(f0_hz), timeline.hop
    voiced = f0_hz > 0
    if not voiced.any() or not timeline.syllables:
        return f0_hz.copy()
    f0_st = np.full(n, np.nan)
    f0_st[voiced] = 12.0 * np.log2(f0_hz[voiced] / 55.0)
    filled = _fill_unvoiced(f0_st)
    syl = timeline.syllables
    means, spans = np.full(len(syl), np.nan), np.full(len(syl), np.nan)
    for i, s in enumerate(syl):
        frames = f0_st[int(np.ceil(s.start / hop)):int(np.ceil(s.end / hop))]
        frames = frames[np.isfinite(frames)]
        if len(frames) >= 3:
            means[i] = frames.mean()
            p10, p90 = np.percentile(frames, [10, 90])
            spans[i] = p90 - p10
    spans = np.maximum(np.nan_to_num(spans, nan=config.min_span_st), config.min_span_st)
    factor = np.clip((spans + offsets[:, F0_RANGE]) / spans, *config.range_factor_limits)
    mean_curve = syllable_curve(means, syl, n, hop, config.smooth_s)
    level = syllable_curve(offsets[:, F0_LEVEL], syl, n, hop)
    factor_curve = syllable_curve(factor, syl, n, hop)
    # the added slope pivots on each syllable's centre
    slope_term = np.zeros(n)
    times = np.arange(n) * hop
    for i, s in enumerate(syl):
        a, b = int(np.ceil(s.start / hop)), int(np.ceil(s.end / hop))
        slope_term[a:b] = offsets[i, F0_SLOPE] * (times[a:b] - 0.5 * (s.start + s.end))
    delta = level + (factor_curve - 1.0) * (filled - mean_curve) + slope_term
    delta = _smooth(delta, config.smooth_s / hop)
    out = np.zeros(n)
    out[voiced] = 55.0 * 2.0 ** ((f0_st[voiced] + delta[voiced]) / 12.0)
    out[voiced] = np.clip(out[voiced], F0_FLOOR_HZ, F0_CEIL_HZ)
    return out


def _smooth(curve: np.ndarray, width_frames: float) -> np.ndarray:
    width = int(round(width_frames))
    if width < 3:
        return curve
    window = np.hanning(width + 2)[1:-1]
    window /= window.sum()
    padded = np.pad(curve, (width, width), mode="edge")
    return np.convolve(padded, window, mode="same")[width:-width]


def limit(audio: np.ndarray, sample_rate: int, ceiling_dbfs: float = -1.0,
          release_s: float = 0.05) -> np.ndarray:
    """Peak limiter: no sample above ``ceiling_dbfs``; gain falls instantly, recovers smoothly."""
    from scipy.ndimage import maximum_filter1d, minimum_filter1d, uniform_filter1d

    ceiling = 10.0 ** (ceiling_dbfs / 20.0)
    x = np.asarray(audio, np.float64)
    if len(x) == 0 or np.max(np.abs(x)) <= ceiling:
        return x.astype(np.float32)
    width = max(3, int(release_s * sample_rate) | 1)
    envelope = maximum_filter1d(np.abs(x), size=width)
    gain = np.minimum(1.0, ceiling / np.maximum(envelope, 1e-9))
    # min-filter then average over the same width: the smoothed gain never exceeds what is needed
    gain = uniform_filter1d(minimum_filter1d(gain, size=width), size=width)
    return np.clip(x * gain, -ceiling, ceiling).astype(np.float32)


def render(audio: np.ndarray, sample_rate: int, timeline: Timeline, offsets: np.ndarray,
           targets: Sequence[EmotionTarget], config: RenderConfig | None = None,
           f0_hz: np.ndarray | None = None, seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Apply prosody offsets to speech through WORLD, then limit.

    Parameters
    ----------
    audio : (samples,) float mono, already with the emotional durations.
    timeline : its timeline (syllable times; ``hop`` sets WORLD's frame period).
    offsets : (n_syllables, 8) prosody offsets (the duration columns are ignored here).
    targets : one target per syllable (voice-quality attributes).
    f0_hz : (frames,) F0 of ``audio`` when already analysed (else DIO + StoneMask).
    seed : seeds the creak irregularity.

    Returns
    -------
    (audio, f0) : (samples,) float32 in [-1, 1] and the rendered (frames,) float32 F0 in Hertz
        (0 where unvoiced).
    """
    pyworld = import_pyworld()
    config = config or RenderConfig()
    x = np.ascontiguousarray(audio, np.float64)
    hop = timeline.hop
    f0 = f0_contour(x, sample_rate, hop) if f0_hz is None else np.asarray(f0_hz, np.float64)
    times = np.arange(len(f0)) * hop
    envelope = pyworld.cheaptrick(x, f0, times, sample_rate)
    aperiodicity = pyworld.d4c(x, f0, times, sample_rate)
    n, syl = len(f0), timeline.syllables
    offsets = np.asarray(offsets, np.float64).reshape(len(syl), -1)

    new_f0 = shape_f0(f0, timeline, offsets, config)
    creak = _attribute_curve(targets, syl, "voice_quality", "creaky", n, hop, config.smooth_s)
    if creak.any():
        rng = np.random.default_rng(seed)
        jitter = np.repeat(rng.standard_normal(n // 4 + 1), 4)[:n]  # 20 ms irregular steps
        new_f0 = np.where(new_f0 > 0, new_f0 * (1.0 + config.creak_jitter * creak * jitter), 0.0)
    whisper = _attribute_curve(targets, syl, "voice_quality", "whisper", n, hop, 0.0)
    new_f0[whisper >= 0.5] = 0.0

    gain_db = syllable_curve(offsets[:, ENERGY], syl, n, hop, config.smooth_s)
    tilt_db = syllable_curve(offsets[:, TILT], syl, n, hop, config.smooth_s)
    freqs = np.linspace(0.0, sample_rate / 2.0, envelope.shape[1])
    band = np.clip(np.log2(np.maximum(freqs, 1.0) / config.tilt_corner_hz) / config.tilt_octaves
                   + 0.5, 0.0, 1.0) - 0.5  # -0.5 low band .. +0.5 high band
    envelope *= 10.0 ** ((gain_db[:, None] + tilt_db[:, None] * band[None, :]) / 10.0)

    breath = np.clip(syllable_curve(offsets[:, BREATHINESS], syl, n, hop, config.smooth_s), -1, 1)
    breath = breath[:, None]
    aperiodicity = np.where(breath >= 0, aperiodicity + breath * (1.0 - aperiodicity),
                            aperiodicity * (1.0 + breath))
    aperiodicity = np.clip(aperiodicity, 1e-3, 1.0)

    y = pyworld.synthesize(np.ascontiguousarray(new_f0), np.ascontiguousarray(envelope),
                           np.ascontiguousarray(aperiodicity), sample_rate, hop * 1000.0)
    y = y[:len(x)] if len(y) >= len(x) else np.pad(y, (0, len(x) - len(y)))
    y = limit(y, sample_rate, config.limiter_ceiling_dbfs, config.limiter_release_s)
    return y, new_f0.astype(np.float32)
