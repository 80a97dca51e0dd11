"""Emotional text-to-speech: a neutral piper voice, prosody offsets, WORLD rendering, alignment.

``Voice`` speaks neutrally with per-phoneme duration control; ``EmotionalTTS`` turns an
:class:`~controllers.target.EmotionPlan` into :class:`~synth.contracts.Speech`;
``align_recording`` gives any recording a :class:`~synth.contracts.Timeline`.
Models load lazily: importing this package loads nothing.
"""

from synth.tts.align import align_recording, transcribe
from synth.tts.synthesizer import PROSODY_CHOICES, EmotionalTTS, syllable_targets
from synth.tts.voice import Voice, VoiceOutput

__all__ = ["PROSODY_CHOICES", "EmotionalTTS", "Voice", "VoiceOutput", "align_recording", "transcribe",
           "syllable_targets"]
