"""Emotional prosody: per-syllable offsets from a neutral reading (rules or a diffusion model)."""

from synth.prosody.base import (
    FEATURE_INDEX,
    PROSODY_FEATURES,
    PROSODY_MODELS,
    ProsodyModel,
)
from synth.prosody.registry import load_prosody_model

__all__ = ["FEATURE_INDEX", "PROSODY_FEATURES", "PROSODY_MODELS", "ProsodyModel",
           "load_prosody_model"]
