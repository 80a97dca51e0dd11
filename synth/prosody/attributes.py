"""Utterance-level prosody from a target's paralinguistic attributes (pitch level, rate, ...).

Both prosody models add these offsets on top of the emotion's, so a user's explicit "speak
slowly" or "loud" always holds whatever the emotion. The renderer still owns what cannot be an
offset (a whisper is rendered unvoiced; ``breathiness`` 1.0 here asks for a fully aperiodic source).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from controllers.target import EmotionTarget
from synth.prosody.base import FEATURE_INDEX, PROSODY_FEATURES

#: Offsets of each (attribute, value), as {feature name: amount}; units as in PROSODY_FEATURES.
ATTRIBUTE_OFFSETS: dict[tuple[str, str], dict[str, float]] = {
    ("pitch_level", "high"): {"f0_level_st": 3.0},
    ("pitch_level", "low"): {"f0_level_st": -3.0},
    ("loudness", "loud"): {"energy_db": 6.0, "tilt_db": 2.0},
    ("loudness", "quiet"): {"energy_db": -6.0, "tilt_db": -2.0},
    ("rate", "fast"): {"log_duration_ratio": float(np.log(1 / 1.25))},
    ("rate", "slow"): {"log_duration_ratio": float(np.log(1.25))},
    ("voice_quality", "breathy"): {"breathiness": 0.4, "tilt_db": -3.0},
    ("voice_quality", "whisper"): {"breathiness": 1.0, "energy_db": -6.0, "tilt_db": -3.0},
    ("voice_quality", "tense"): {"tilt_db": 3.0, "breathiness": -0.2, "energy_db": 2.0},
    ("voice_quality", "creaky"): {"f0_level_st": -2.0, "breathiness": -0.1,
                                  "log_duration_ratio": 0.05},
}

#: Factor on the syllables' F0 span for ``pitch_variation`` high / low.
PITCH_VARIATION_FACTOR: dict[str, float] = {"high": 1.6, "low": 0.4}


def attribute_offsets(targets: Sequence[EmotionTarget], neutral_span_st: np.ndarray) -> np.ndarray:
    """Offsets asked for by the targets' attributes.

    Parameters
    ----------
    targets : one target per syllable.
    neutral_span_st : (n_syllables,) F0 span of each syllable in the neutral reading, semitones.

    Returns
    -------
    offsets : (n_syllables, 8) float32 in :data:`PROSODY_FEATURES` order, zeros when no attribute
        is set.
    """
    out = np.zeros((len(targets), len(PROSODY_FEATURES)), np.float32)
    for i, target in enumerate(targets):
        for key, value in target.attributes.items():
            for feature, amount in ATTRIBUTE_OFFSETS.get((key, value), {}).items():
                out[i, FEATURE_INDEX[feature]] += amount
        variation = target.attribute("pitch_variation")
        if variation in PITCH_VARIATION_FACTOR:
            span = max(float(neutral_span_st[i]), 1.0)
            out[i, FEATURE_INDEX["f0_range_st"]] += (PITCH_VARIATION_FACTOR[variation] - 1.0) * span
    return out
