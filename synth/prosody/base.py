"""The prosody interface: per-syllable offsets from a neutral reading towards an emotion.

A prosody model reads the :class:`~synth.contracts.Timeline` of the voice's *neutral* reading of a
text and one :class:`~controllers.target.EmotionTarget` per syllable, and returns how each syllable
should differ from that neutral reading. The TTS renderer (``synth.tts``) applies the offsets:
durations through piper's ``dur_scale``, pitch/energy/tilt/breathiness through WORLD.

Two models implement it: ``"rules"`` (Schröder's literature mapping, :mod:`synth.prosody.rules`)
and ``"diffusion"`` (learned from EmoDB, :mod:`synth.prosody.diffusion`).
"""

from __future__ import annotations

from typing import Protocol, Sequence, runtime_checkable

import numpy as np

from controllers.errors import InputError
from controllers.target import EmotionTarget
from synth.contracts import Timeline

#: Column names of the offset array returned by :meth:`ProsodyModel.predict`, in order.
PROSODY_FEATURES: tuple[str, ...] = (
    "f0_level_st",         # semitone shift of the syllable's mean F0
    "f0_range_st",         # change of the syllable's F0 span (max - min), semitones
    "f0_slope_st_s",       # added F0 slope inside the syllable, semitones per second
    "log_duration_ratio",  # ln(emotional duration / neutral duration)
    "pause_after_s",       # extra pause after the syllable, seconds (>= 0; used at word ends)
    "energy_db",           # gain change, dB
    "tilt_db",             # change of (>1 kHz minus <1 kHz) band energy, dB (alpha-ratio-like)
    "breathiness",         # change of the aperiodicity mix, in [-1, 1]
)

#: Column index of each feature, e.g. ``FEATURE_INDEX["energy_db"] == 5``.
FEATURE_INDEX: dict[str, int] = {name: i for i, name in enumerate(PROSODY_FEATURES)}

#: The prosody models ``synth.prosody.load_prosody_model`` accepts.
PROSODY_MODELS: tuple[str, ...] = ("diffusion", "rules")


@runtime_checkable
class ProsodyModel(Protocol):
    """Anything that turns a neutral timeline and per-syllable targets into prosody offsets."""

    name: str
    """Short name of the model (``"diffusion"`` or ``"rules"``)."""

    def predict(self, timeline: Timeline, targets: Sequence[EmotionTarget],
                seed: int | None = None) -> np.ndarray:
        """Per-syllable offsets relative to the neutral reading.

        Parameters
        ----------
        timeline : the NEUTRAL reading of the text by our voice (syllables, words, f0, energy).
        targets : one :class:`EmotionTarget` per syllable of ``timeline`` (len == n_syllables).
        seed : makes sampling reproducible (same seed, same output); None draws a fresh take.

        Returns
        -------
        offsets : (n_syllables, 8) float32, columns in :data:`PROSODY_FEATURES` order:
            ``f0_level_st`` semitones, ``f0_range_st`` semitones, ``f0_slope_st_s`` semitones per
            second, ``log_duration_ratio`` (natural log), ``pause_after_s`` seconds >= 0,
            ``energy_db`` dB, ``tilt_db`` dB, ``breathiness`` in [-1, 1].
            A neutral target (intensity 0) gives offsets close to zero.
        """
        ...


def check_inputs(timeline: Timeline, targets: Sequence[EmotionTarget]) -> None:
    """Raise :class:`InputError` unless there is exactly one target per syllable."""
    if len(targets) != len(timeline.syllables):
        raise InputError(
            f"prosody needs one emotion target per syllable: got {len(targets)} targets for "
            f"{len(timeline.syllables)} syllables")
