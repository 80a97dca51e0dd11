"""Voice quality: a diffusion model of how emotion changes the spectrum's shape and the voice's
aperiodicity (learned from EmoDB), applied to the WORLD analysis in :mod:`synth.tts.render`."""

from synth.voice.model import VoiceModelConfig, VoiceQualityModel
from synth.voice.shape import VoiceShape

__all__ = ["VoiceModelConfig", "VoiceQualityModel", "VoiceShape"]
