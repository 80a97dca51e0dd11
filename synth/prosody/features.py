"""Syllable measurements and the neutral context of each syllable, from a :class:`Timeline`.

Two kinds of quantities live here:

* per-syllable *measurements* of a signal (mean F0 in semitones, F0 span, F0 slope, energy) that
  both the EmoDB reader (:mod:`synth.prosody.emodb`) and the models use, so that training data and
  the voice's neutral reading are described the same way;
* the *context* of each syllable in the neutral reading (:func:`syllable_context`): stress,
  position in word and utterance, phrase-finality, neutral duration, F0 and energy relative to the
  utterance. The diffusion model is conditioned on it; the rule baseline reads a few columns.
"""

from __future__ import annotations

import numpy as np

from synth.contracts import Timeline

#: Column names of :func:`syllable_context`, in order.
CONTEXT_FEATURES: tuple[str, ...] = (
    "stress",              # 1 primary, 0.5 secondary, 0 unstressed
    "word_initial",        # 1 if the first syllable of its word
    "word_final",          # 1 if the last syllable of its word
    "phrase_final",        # 1 if followed by a pause (>= PHRASE_PAUSE_S) or the end
    "utterance_position",  # syllable index / (n - 1), 0..1
    "log_duration",        # ln(duration / median syllable duration of the utterance)
    "f0_level_st",         # mean F0 relative to the utterance's median voiced F0, semitones
    "f0_span_st",          # p90 - p10 of F0 inside the syllable, semitones
    "voiced_fraction",     # share of voiced frames inside the syllable, 0..1
    "energy_db",           # mean frame energy relative to the utterance's mean syllable energy, dB
    "pause_after_s",       # silence between this syllable and the next, seconds
)

#: A silence at least this long (seconds) ends a phrase.
PHRASE_PAUSE_S = 0.08

#: Reference frequency of the semitone scale, Hertz (semitones above 55 Hz, A1).
REFERENCE_HZ = 55.0


def hz_to_semitones(f0_hz: np.ndarray) -> np.ndarray:
    """Semitones above :data:`REFERENCE_HZ`; NaN where ``f0_hz`` is 0 (unvoiced)."""
    f0_hz = np.asarray(f0_hz, np.float64)
    out = np.full(f0_hz.shape, np.nan)
    voiced = f0_hz > 0
    out[voiced] = 12.0 * np.log2(f0_hz[voiced] / REFERENCE_HZ)
    return out


def frame_slice(start_s: float, end_s: float, hop_s: float, n_frames: int) -> slice:
    """Frames whose centres lie in [start_s, end_s) for a curve with hop ``hop_s`` seconds."""
    lo = int(np.clip(np.ceil(start_s / hop_s), 0, n_frames))
    hi = int(np.clip(np.ceil(end_s / hop_s), lo, n_frames))
    return slice(lo, hi)


def f0_stats(f0_st: np.ndarray, hop_s: float,
             min_voiced: int = 3) -> tuple[float, float, float, float]:
    """F0 statistics of one syllable.

    Parameters
    ----------
    f0_st : (frames,) float semitones, NaN where unvoiced.
    hop_s : frame spacing in seconds.

    Returns
    -------
    (mean_st, span_st, slope_st_s, voiced_fraction): mean F0 in semitones, p90 - p10 span in
    semitones, least-squares slope in semitones per second, share of voiced frames. The first three
    are NaN when fewer than ``min_voiced`` frames are voiced.
    """
    n = len(f0_st)
    if n == 0:
        return np.nan, np.nan, np.nan, 0.0
    voiced = np.isfinite(f0_st)
    fraction = float(voiced.mean())
    if voiced.sum() < min_voiced:
        return np.nan, np.nan, np.nan, fraction
    values = f0_st[voiced]
    times = np.flatnonzero(voiced) * hop_s
    p10, p90 = np.percentile(values, [10, 90])
    centred = times - times.mean()
    spread = float(centred @ centred)
    # the least-squares line's slope, in closed form (np.polyfit costs ~20x more)
    slope = float(centred @ (values - values.mean())) / spread if spread > 0 else 0.0
    return float(values.mean()), float(p90 - p10), slope, fraction


def energy_mean_db(energy_db: np.ndarray) -> float:
    """Mean power of frames given in dB, back in dB (NaN for no frames)."""
    if len(energy_db) == 0:
        return np.nan
    power = np.mean(10.0 ** (np.asarray(energy_db, np.float64) / 10.0))
    return float(10.0 * np.log10(power + 1e-12))


def syllable_measures(timeline: Timeline) -> dict[str, np.ndarray]:
    """Raw per-syllable measurements of a timeline's F0 and energy curves.

    Returns a dict of (n_syllables,) float64 arrays: ``start``, ``end``, ``duration`` (s),
    ``f0_mean_st``, ``f0_span_st``, ``f0_slope_st_s`` (NaN when unvoiced), ``voiced_fraction``,
    ``energy_db`` (dBFS), ``pause_after_s`` (s).
    """
    syllables = timeline.syllables
    n = len(syllables)
    f0_st = hz_to_semitones(timeline.f0)
    energy = np.asarray(timeline.energy, np.float64)
    out = {k: np.full(n, np.nan) for k in ("start", "end", "duration", "f0_mean_st", "f0_span_st",
                                           "f0_slope_st_s", "voiced_fraction", "energy_db",
                                           "pause_after_s")}
    for i, syl in enumerate(syllables):
        out["start"][i], out["end"][i] = syl.start, syl.end
        sl = frame_slice(syl.start, syl.end, timeline.hop, len(f0_st))
        mean, span, slope, fraction = f0_stats(f0_st[sl], timeline.hop)
        out["f0_mean_st"][i], out["f0_span_st"][i], out["f0_slope_st_s"][i] = mean, span, slope
        out["voiced_fraction"][i] = fraction
        out["energy_db"][i] = energy_mean_db(energy[frame_slice(syl.start, syl.end, timeline.hop,
                                                                len(energy))])
    out["duration"] = np.maximum(out["end"] - out["start"], 1e-3)
    if n:
        out["pause_after_s"][:-1] = np.maximum(out["start"][1:] - out["end"][:-1], 0.0)
        out["pause_after_s"][-1] = 0.0
    return out


def _word_edges(timeline: Timeline) -> tuple[np.ndarray, np.ndarray]:
    """(word_initial, word_final) flags of each syllable, from the syllables' word indices."""
    words = np.array([s.word for s in timeline.syllables])
    n = len(words)
    initial = np.ones(n, bool)
    final = np.ones(n, bool)
    if n > 1:
        same_as_prev = (words[1:] == words[:-1]) & (words[1:] >= 0)
        initial[1:] = ~same_as_prev
        final[:-1] = ~same_as_prev
    return initial, final


def syllable_context(timeline: Timeline) -> np.ndarray:
    """The neutral context of every syllable.

    Returns
    -------
    context : (n_syllables, len(CONTEXT_FEATURES)) float32, columns in :data:`CONTEXT_FEATURES`
        order; quantities that cannot be measured (unvoiced syllable) are 0.
    """
    n = len(timeline.syllables)
    ctx = np.zeros((n, len(CONTEXT_FEATURES)), np.float32)
    if n == 0:
        return ctx
    m = syllable_measures(timeline)
    col = {name: i for i, name in enumerate(CONTEXT_FEATURES)}
    stress = np.array([s.stress for s in timeline.syllables])
    ctx[:, col["stress"]] = np.where(stress == 1, 1.0, np.where(stress == 2, 0.5, 0.0))
    initial, final = _word_edges(timeline)
    ctx[:, col["word_initial"]] = initial
    ctx[:, col["word_final"]] = final
    phrase_final = m["pause_after_s"] >= PHRASE_PAUSE_S
    phrase_final[-1] = True
    ctx[:, col["phrase_final"]] = phrase_final
    ctx[:, col["utterance_position"]] = np.arange(n) / max(n - 1, 1)
    ctx[:, col["log_duration"]] = np.log(m["duration"] / np.median(m["duration"]))
    voiced_means = m["f0_mean_st"][np.isfinite(m["f0_mean_st"])]
    reference = np.median(voiced_means) if len(voiced_means) else 0.0
    ctx[:, col["f0_level_st"]] = np.nan_to_num(m["f0_mean_st"] - reference)
    ctx[:, col["f0_span_st"]] = np.nan_to_num(m["f0_span_st"])
    ctx[:, col["voiced_fraction"]] = m["voiced_fraction"]
    energies = m["energy_db"]
    finite = np.isfinite(energies)
    ctx[:, col["energy_db"]] = np.where(finite, energies - (energies[finite].mean() if finite.any()
                                                              else 0.0), 0.0)
    ctx[:, col["pause_after_s"]] = m["pause_after_s"]
    return ctx
