"""A sampled voice change and how it is applied to a WORLD analysis (the renderer's hook).

:class:`VoiceShape` holds one delta vector per syllable (the delta of the syllable's emotion
stretch, :mod:`synth.voice.bands` layout, physical units: cepstra of the spectral-shape change in
dB, aperiodicity change in dB). :meth:`VoiceShape.apply` turns them into a gain on every frame
and bin of the spectral envelope and of the aperiodicity:

* each frame gets the delta of its place in the line (syllable deltas interpolated across
  syllable boundaries, so an emotion change blends), weighted by its phone class (voiced vowel,
  voiced consonant, unvoiced speech; pauses stay as they are), the class masks smoothed over
  :attr:`VoiceShape.smooth_s`;
* the band gains are spread over the bins along mel; above 8 kHz the top band's gain holds
  (EmoDB has nothing there to learn from);
* below :attr:`VoiceShape.floor_hz` (or 2.5 F0 if higher) no bin falls below the gain at that
  frequency: the learned brightening (a mid-band boost of up to +17 dB for anger and happiness)
  would otherwise leave the first harmonics of a low voice weaker than the harmonics near
  1 kHz, and openSMILE's pitch tracker heard a multiple of the rendered F0 (anger +14 st,
  happiness +6 st, disgust +6 st on 10 tuning sentences; :mod:`synth.voice.model`);
* every frame's envelope is rescaled to its former total power: the voice model changes the
  spectrum's shape (brighter, darker, tenser, laxer), the prosody model its loudness;
* the aperiodicity of voiced frames is scaled by the aperiodicity delta (dB), kept in [0.001, 1].

Everything is vectorised numpy on the already-computed WORLD arrays (a few milliseconds a line).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synth.contracts import Timeline
from synth.voice.bands import (
    AP_CLASSES,
    PHONE_CLASSES,
    ap_to_bins,
    band_to_bins,
    from_cepstrum,
    split_delta,
)


@dataclass
class VoiceShape:
    """Per-syllable voice deltas of one line, ready to apply to its WORLD analysis."""

    deltas: np.ndarray
    """(n_syllables, delta_size()) float, physical units (dB)."""
    envelope_scale: float = 1.0
    """Factor on the spectral-shape change when applied."""
    aperiodicity_scale: float = 1.0
    """Factor on the aperiodicity change when applied."""
    max_gain_db: float = 24.0
    """Largest boost or cut of any band, dB (guards the renderer against extreme samples)."""
    smooth_s: float = 0.015
    """Width of the moving average that smooths the phone-class masks, seconds."""
    floor_hz: float = 1000.0
    """Below this frequency (or 2.5 F0 if higher), Hertz, a bin's gain is at least the gain at
    it: the first harmonics are never cut relative to the ones above (0 = off)."""

    def frame_deltas(self, timeline: Timeline, n_frames: int) -> np.ndarray:
        """(n_frames, delta_size()) the syllable deltas on frames, blended across syllables."""
        from synth.tts.render import syllable_curve

        syllables = timeline.syllables
        if len(syllables) != len(self.deltas):
            raise ValueError(f"{len(self.deltas)} voice deltas for {len(syllables)} syllables")
        position = syllable_curve(np.arange(len(syllables), dtype=np.float64), syllables,
                                  n_frames, timeline.hop)
        lo = np.clip(np.floor(position).astype(int), 0, len(syllables) - 1)
        hi = np.minimum(lo + 1, len(syllables) - 1)
        w = (position - lo)[:, None]
        return (1.0 - w) * self.deltas[lo] + w * self.deltas[hi]

    def apply(self, envelope: np.ndarray, aperiodicity: np.ndarray, timeline: Timeline,
              f0: np.ndarray, sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
        """The changed (envelope, aperiodicity), both (frames, bins) like the inputs.

        ``envelope`` is WORLD power, ``aperiodicity`` D4C's linear ratio, ``f0`` (frames,) Hertz
        (0 = unvoiced: the F0 that will be synthesised, so a whispered frame counts as unvoiced),
        ``timeline`` gives the phonemes and syllables at ``timeline.hop``.
        """
        n, bins = envelope.shape
        if n == 0 or not np.any(self.deltas):  # a neutral line: nothing to change
            return envelope, aperiodicity
        weights = class_weights(timeline, f0, n, self.smooth_s)  # (n, n_classes)
        cep, ap = split_delta(self.frame_deltas(timeline, n))  # (n, c, k), (n, c_ap, b)
        bands = from_cepstrum(cep)  # (n, c, N_BANDS)
        gain_bands = np.clip(np.einsum("nc,ncb->nb", weights, bands) * self.envelope_scale,
                             -self.max_gain_db, self.max_gain_db)
        gain_db = gain_bands @ band_to_bins(bins, sample_rate)
        if self.floor_hz > 0:
            gain_db = low_harmonic_floor(gain_db, f0, self.floor_hz, sample_rate)
        before = envelope.sum(axis=1, keepdims=True)
        shaped = envelope * 10.0 ** (gain_db / 10.0)
        shaped *= before / np.maximum(shaped.sum(axis=1, keepdims=True), 1e-30)
        ap_weights = weights[:, [PHONE_CLASSES.index(c) for c in AP_CLASSES]]
        ap_db = np.einsum("nc,ncb->nb", ap_weights, ap) * self.aperiodicity_scale
        ap_gain = 10.0 ** ((ap_db @ ap_to_bins(bins, sample_rate)) / 20.0)
        changed = np.clip(aperiodicity * ap_gain, 1e-3, 1.0)
        return np.ascontiguousarray(shaped), np.ascontiguousarray(changed)


def low_harmonic_floor(gain_db: np.ndarray, f0: np.ndarray, floor_hz: float,
                       sample_rate: int) -> np.ndarray:
    """(frames, bins) ``gain_db`` with every bin below max(``floor_hz``, 2.5 ``f0``) raised to at
    least the gain at that cutoff (a boost of the low bins is kept, a cut is lifted)."""
    n, bins = gain_db.shape
    freqs = np.linspace(0.0, sample_rate / 2.0, bins)
    frame_f0 = np.zeros(n)
    m = min(len(f0), n)
    frame_f0[:m] = f0[:m]
    cut = np.minimum(np.searchsorted(freqs, np.maximum(floor_hz, 2.5 * frame_f0)), bins - 1)
    at_cut = np.take_along_axis(gain_db, cut[:, None], axis=1)
    low = np.arange(bins)[None, :] < cut[:, None]
    return np.where(low, np.maximum(gain_db, at_cut), gain_db)


def class_weights(timeline: Timeline, f0: np.ndarray, n_frames: int,
                  smooth_s: float = 0.015) -> np.ndarray:
    """(n_frames, len(PHONE_CLASSES)) soft phone-class masks: voiced frames of vowels, voiced
    frames of other phonemes, unvoiced frames of phonemes; pauses are 0 in every column."""
    from synth.tts.phonology import PAUSE, is_vowel
    from synth.tts.sliding import uniform_filter1d

    hop = timeline.hop
    vowel = np.zeros(n_frames, bool)
    speech = np.zeros(n_frames, bool)
    for p in timeline.phonemes:
        if p.symbol == PAUSE or p.word < 0:
            continue
        a, b = int(np.ceil(p.start / hop)), min(int(np.ceil(p.end / hop)), n_frames)
        speech[a:b] = True
        if is_vowel(p.symbol):
            vowel[a:b] = True
    voiced = np.zeros(n_frames, bool)
    m = min(len(f0), n_frames)
    voiced[:m] = np.asarray(f0[:m]) > 0
    masks = np.stack([vowel & voiced, speech & ~vowel & voiced, speech & ~voiced], axis=1)
    width = max(1, int(round(smooth_s / hop)))
    return uniform_filter1d(masks.astype(np.float64), width, axis=0, mode="nearest")
