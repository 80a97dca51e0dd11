"""A character's timbre on the real voice: pitch, vocal-tract length, mel-band correction,
breathiness and rate (synth.tts.timbre), and the identity voice left exactly as it was."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from controllers.cast import load_character
from controllers.character import VoiceSpec
from controllers.target import EmotionTarget
from synth.tts import EmotionalTTS
from synth.tts.acoustics import f0_contour
from synth.tts.synthesizer import timbre_pass
from synth.tts.timbre import (band_gains_db, band_means_db, shift_f0, tilt_gains_db,
                              warp_envelope)

TEXT = "The committee will meet again on Thursday to review the plans."


@pytest.fixture(scope="module")
def tts() -> EmotionalTTS:
    return EmotionalTTS.load("rules")


@pytest.fixture(scope="module")
def neutral(tts):
    return tts.neutral(TEXT, seed=2)


def _median_st(f0: np.ndarray) -> float:
    f0 = np.asarray(f0)
    return float(np.median(12 * np.log2(f0[f0 > 0])))


def _average_spectrum(speech):
    """The take's long-term average spectrum (Welch, dB) as fit_voices' VoiceStats."""
    from scipy.signal import welch

    from synth.tts.fit_voices import GRID_HZ, VoiceStats

    freqs, power = welch(speech.audio, speech.sample_rate, nperseg=512)
    db = np.interp(GRID_HZ, freqs, 10 * np.log10(power + 1e-20))
    return VoiceStats(np.zeros(3), db, 0.0, np.ones(2))


def test_shift_f0_moves_the_median_and_scales_the_range():
    rng = np.random.default_rng(0)
    f0 = 100 * 2 ** (rng.normal(0, 3, 500) / 12)
    f0[::7] = 0.0
    out = shift_f0(f0, 7.0, 0.5)
    assert np.array_equal(out == 0, f0 == 0)
    assert _median_st(out) - _median_st(f0) == pytest.approx(7.0, abs=0.01)
    spread = lambda x: np.subtract(*np.percentile(12 * np.log2(x[x > 0]), [90, 10]))
    assert spread(out) == pytest.approx(0.5 * spread(f0), rel=0.01)
    # around a given centre: the same function for every take of a line
    centred = shift_f0(f0 * 2 ** (3 / 12), 0.0, 0.5, centre_hz=float(np.median(f0[f0 > 0])))
    assert _median_st(centred) - _median_st(f0) == pytest.approx(1.5, abs=0.05)


def test_warp_moves_a_peak_by_the_factor():
    bins = np.arange(513)
    envelope = np.exp(-0.5 * ((bins - 100) / 8.0) ** 2)[None, :] + 1e-6
    assert np.argmax(warp_envelope(envelope, 1.2)[0]) == 120
    assert np.argmax(warp_envelope(envelope, 0.9)[0]) == 90


def test_mel_band_gains_round_trip():
    gains = np.sin(np.linspace(0, 3, 20)) * 6
    per_bin = band_gains_db(gains, 22050, 513)
    back = band_means_db(per_bin, 22050, 20)
    assert np.abs(back[2:-2] - gains[2:-2]).max() < 1.0  # (inner bands: the edges are held)
    tilt = tilt_gains_db(-6.0, 22050, 513)
    assert tilt[0] == 0 and tilt[-1] == -6.0


def test_identity_voice_is_byte_identical(tts, neutral):
    """character=None, the built-in joe and the default VoiceSpec give the piper voice as it
    is: the same samples as Voice.synthesize, and the same emotional take."""
    joe = load_character("joe")
    assert joe.voice.is_identity
    bare = tts.voice.synthesize(TEXT, seed=2)
    assert np.array_equal(neutral.audio, bare.audio)
    assert np.array_equal(tts.neutral(TEXT, seed=2, character=joe).audio, bare.audio)
    sad = EmotionTarget.from_category("sadness", 1.0)
    a = tts.speak(sad, seed=2, text=TEXT)
    b = tts.speak(sad, seed=2, text=TEXT, character=joe)
    assert np.array_equal(a.audio, b.audio)
    assert np.array_equal(a.timeline.f0, b.timeline.f0)


def test_formant_factor_moves_the_spectrum_of_the_audio(neutral):
    """The warp is heard: the audio's average spectrum is the original's scaled in frequency by
    the factor (found by the same search fit_voices uses), and brighter when scaled up."""
    from synth.tts.fit_voices import fit_warp

    base = _average_spectrum(timbre_pass(neutral, VoiceSpec(breathiness=1e-9)))
    for factor in (0.85, 1.2):
        moved = _average_spectrum(timbre_pass(neutral, VoiceSpec(formant_factor=factor)))
        found, r = fit_warp(base, moved)
        assert found == pytest.approx(factor, abs=0.02) and r > 0.9
        high = (base.log_env_db[120:200].mean(), moved.log_env_db[120:200].mean())  # 3-5 kHz
        assert (high[1] > high[0] + 2) if factor > 1 else (high[1] < high[0] - 2), high


def test_pitch_shift_is_heard_and_the_timeline_describes_the_new_audio(neutral):
    out = timbre_pass(neutral, VoiceSpec(pitch_shift_st=9.0, formant_factor=1.15))
    measured = f0_contour(out.audio, out.sample_rate, out.timeline.hop)
    assert _median_st(out.timeline.f0) - _median_st(neutral.timeline.f0) == \
        pytest.approx(9.0, abs=0.1)
    # an independent tracker on the converted audio hears the pitch the timeline states
    assert abs(_median_st(measured) - _median_st(out.timeline.f0)) < 0.7
    assert len(out.audio) == len(neutral.audio)
    energy = 10 * np.log10(np.mean(out.audio ** 2))
    assert abs(energy - 10 * np.log10(np.mean(neutral.audio ** 2))) < 3.0  # loudness kept
    assert np.allclose(out.timeline.energy.max(), neutral.timeline.energy.max(), atol=4.0)


def test_breathiness_lowers_the_harmonics_to_noise_ratio(neutral):
    import parselmouth

    def hnr(speech):
        sound = parselmouth.Sound(speech.audio.astype(np.float64), speech.sample_rate)
        values = sound.to_harmonicity_cc().values
        return float(np.mean(values[values > -100]))

    modal = timbre_pass(neutral, VoiceSpec(breathiness=1e-9))
    breathy = timbre_pass(neutral, VoiceSpec(breathiness=0.25))
    assert hnr(breathy) < hnr(modal) - 2.0


def test_rate_and_a_neutral_cache_keyed_on_the_voice(tts, neutral):
    joe = load_character("joe")
    slow = dataclasses.replace(joe, name="slow", voice=VoiceSpec(rate=0.8))
    reading = tts.neutral(TEXT, seed=2, character=slow)
    ratio = len(reading.audio) / len(neutral.audio)
    assert 1.15 < ratio < 1.4
    # same text and seed, other voice: not the cached joe reading
    again = tts.neutral(TEXT, seed=2)
    assert np.array_equal(again.audio, neutral.audio)
    mara = load_character("mara")
    hers = tts.neutral(TEXT, seed=2, character=mara)
    assert _median_st(hers.timeline.f0) - _median_st(neutral.timeline.f0) > 5.0
    assert np.array_equal(tts.neutral(TEXT, seed=2, character=mara).audio, hers.audio)
