"""Rule baseline: Schröder's mapping of activation, evaluation and power onto prosody.

The emotion dimensions drive the prosodic parameters linearly, as in MaryTTS's EmoSpeak
(M. Schröder, "Expressing degree of activation in synthetic speech", IEEE Transactions on Audio,
Speech, and Language Processing 14(4):1128-1136, 2006; M. Schröder, "Speech and emotion research",
PhD thesis, Saarland University, 2004, ch. 11; the rule set ships in MaryTTS as EmoSpeak's
``emotion-to-mary.xsl``). With activation A, evaluation E and power P in [-100, 100]
(our arousal, valence and dominance times 100):

================  =================================  ==========================================
EmoSpeak          rule                               here
================  =================================  ==========================================
pitch             +0.3A +0.1E -0.1P  % of F0         ``f0_level_st`` on every syllable
pitch-dynamics    -15 +0.3A -0.3P  %                 extra rise/fall of the level over the line
range             4 +0.04A  semitones                F0 span and excursions scaled by (4+0.04A)/4
range-dynamics    -40 +1.2A +0.4P  %                 the range factor changes over the line
accent-prom.      +0.5A -0.5E  %                     span and height of stressed syllables
accent shape      falling if E<-20, alternating if   slope of stressed syllables
                  E>40, else rising
accent-slope      +1A -0.5E  %                       steepness of that slope
boundary          low if P>0, else high              slope of the last syllable
rate              +0.5A +0.2E  %                     ``log_duration_ratio`` of every syllable
vowel/nasal/liq.  +0.3E +0.3P  % duration            weighted by the syllable's phone classes
plosive/fric.     +0.5A -0.3E  % duration            weighted by the syllable's phone classes
pauses            number +0.7A %, duration -0.2A %   ``pause_after_s`` at existing word pauses
volume            50 +0.33A  (50 = unchanged)        ``energy_db`` = 20 log10(volume / 50)
================  =================================  ==========================================

EmoSpeak drove diphone voices and has no voice-quality rule; Schröder (2006) expresses activation
by choosing units recorded with low, modal or high vocal effort. We render that as a spectral-tilt
change of 0.05 dB per activation point (loud voices are flatter, higher alpha ratio) and a
breathiness change of -0.003 per point (soft voices are breathier); these two are ours.
Categorical parts (accent shape, boundary) fade in with the target's distance from neutral, so
that a neutral target gives zero offsets.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from controllers.target import EmotionTarget
from synth.contracts import Timeline
from synth.prosody.attributes import attribute_offsets
from synth.prosody.base import FEATURE_INDEX, PROSODY_FEATURES, check_inputs
from synth.prosody.features import CONTEXT_FEATURES, syllable_context, syllable_measures

# Phone classes of espeak-ng IPA symbols (piper), for EmoSpeak's class-specific durations.
PLOSIVES_FRICATIVES = frozenset("pbtdkgʔfvθðszʃʒhxçɡ") | {"tʃ", "dʒ", "ts"}
NASALS_LIQUIDS = frozenset("mnŋlɹrɾjwɫ") | {"n̩", "l̩", "m̩"}

#: Accent slope of a stressed syllable at accent-slope 0 %, semitones per second.
ACCENT_SLOPE_ST_S = 10.0
#: Slope of a phrase-final boundary tone, semitones per second.
BOUNDARY_SLOPE_ST_S = 8.0
#: Neutral declination factor (EmoSpeak's default pitch-dynamics of -15 %).
NEUTRAL_PITCH_DYNAMICS = 0.85
#: Neutral end-of-line range factor (EmoSpeak's default range-dynamics of -40 %).
NEUTRAL_RANGE_DYNAMICS = 0.60
#: Smallest F0 span assumed for a syllable when scaling it, semitones.
MIN_SPAN_ST = 1.0


def _semitones(factor: float) -> float:
    return float(12.0 * np.log2(max(factor, 1e-3)))


def phone_class_fractions(timeline: Timeline) -> np.ndarray:
    """(n_syllables, 3) share of each syllable's duration in vowels, plosives+fricatives and
    nasals+liquids (rows sum to 1; a syllable without phonemes counts as all vowel)."""
    out = np.zeros((len(timeline.syllables), 3))
    for p in timeline.phonemes:
        if not 0 <= p.syllable < len(out) or p.symbol == "_":
            continue
        symbol = p.symbol.rstrip("ːˑ")
        k = 1 if symbol in PLOSIVES_FRICATIVES else 2 if symbol in NASALS_LIQUIDS else 0
        out[p.syllable, k] += max(p.end - p.start, 0.0)
    totals = out.sum(axis=1, keepdims=True)
    empty = totals[:, 0] <= 0
    out[empty] = (1.0, 0.0, 0.0)
    totals[empty] = 1.0
    return out / totals


class RuleProsody:
    """Schröder's EmoSpeak rules behind the :class:`~synth.prosody.base.ProsodyModel` interface.

    Deterministic: ``seed`` is accepted and ignored.
    """

    name = "rules"

    def predict(self, timeline: Timeline, targets: Sequence[EmotionTarget],
                seed: int | None = None) -> np.ndarray:
        """(n_syllables, 8) float32 offsets, columns in :data:`PROSODY_FEATURES` order."""
        check_inputs(timeline, targets)
        n = len(timeline.syllables)
        out = np.zeros((n, len(PROSODY_FEATURES)), np.float32)
        if n == 0:
            return out
        ctx = syllable_context(timeline)
        col = {name: i for i, name in enumerate(CONTEXT_FEATURES)}
        slopes = syllable_measures(timeline)["f0_slope_st_s"]
        fractions = phone_class_fractions(timeline)
        f = FEATURE_INDEX
        accent_count = 0
        for i, target in enumerate(targets):
            a, e, p = 100 * target.arousal, 100 * target.valence, 100 * target.dominance
            # Categorical choices (accent shape, boundary tone) fade in over the first 0.3 of
            # distance from neutral, so the rules are continuous in the target.
            strength = min(1.0, float(np.linalg.norm(target.vad)) / 0.3)
            position = ctx[i, col["utterance_position"]] - 0.5
            stressed = ctx[i, col["stress"]]
            span = max(ctx[i, col["f0_span_st"]], MIN_SPAN_ST)
            height = max(ctx[i, col["f0_level_st"]], 0.0)

            pitch = 1.0 + (0.3 * a + 0.1 * e - 0.1 * p) / 100.0
            declination = _semitones((NEUTRAL_PITCH_DYNAMICS + (0.3 * a - 0.3 * p) / 100.0)
                                     / NEUTRAL_PITCH_DYNAMICS)
            range_factor = (4.0 + 0.04 * a) / 4.0
            range_change = ((NEUTRAL_RANGE_DYNAMICS + (1.2 * a + 0.4 * p) / 100.0)
                            / NEUTRAL_RANGE_DYNAMICS) - 1.0
            range_factor = max(range_factor * (1.0 + range_change * position), 0.1)
            prominence = 1.0 + stressed * (0.5 * a - 0.5 * e) / 100.0

            level = _semitones(pitch) + declination * position
            level += (range_factor * prominence - 1.0) * height  # excursions above the median
            out[i, f["f0_level_st"]] = level
            out[i, f["f0_range_st"]] = (range_factor * prominence - 1.0) * span

            if stressed > 0:
                if e < -20:
                    shape = -1.0
                elif e > 40:
                    shape = 1.0 if accent_count % 2 == 0 else -1.0
                else:
                    shape = 1.0
                accent_count += 1
                steepness = max(0.0, 1.0 + (1.0 * a - 0.5 * e) / 100.0)
                target_slope = shape * ACCENT_SLOPE_ST_S * steepness
                neutral_slope = np.nan_to_num(slopes[i])
                out[i, f["f0_slope_st_s"]] = strength * stressed * (target_slope - neutral_slope)
            if i == n - 1:
                boundary = -BOUNDARY_SLOPE_ST_S if p > 0 else BOUNDARY_SLOPE_ST_S
                out[i, f["f0_slope_st_s"]] += strength * boundary

            rate = 1.0 + (0.5 * a + 0.2 * e) / 100.0
            segment = (fractions[i, 0] * (1.0 + (0.3 * e + 0.3 * p) / 100.0)
                       + fractions[i, 1] * (1.0 + (0.5 * a - 0.3 * e) / 100.0)
                       + fractions[i, 2] * (1.0 + (0.3 * e + 0.3 * p) / 100.0))
            out[i, f["log_duration_ratio"]] = np.log(max(segment, 0.1)) - np.log(max(rate, 0.1))

            pause = ctx[i, col["pause_after_s"]]
            if pause > 0 and ctx[i, col["word_final"]]:
                factor = (1.0 + 0.7 * a / 100.0) * (1.0 - 0.2 * a / 100.0)
                out[i, f["pause_after_s"]] = max(0.0, pause * (factor - 1.0))

            out[i, f["energy_db"]] = 20.0 * np.log10((50.0 + 0.33 * a) / 50.0)
            out[i, f["tilt_db"]] = 0.05 * a
            out[i, f["breathiness"]] = -0.003 * a

        out += attribute_offsets(targets, ctx[:, col["f0_span_st"]])
        out[:, f["pause_after_s"]] = np.maximum(out[:, f["pause_after_s"]], 0.0)
        out[:, f["breathiness"]] = np.clip(out[:, f["breathiness"]], -1.0, 1.0)
        return out
