"""The built-in cast's voices on the real voice: each character its own pitch, the emotions
still heard relative to the character's own neutral reading, a user's piper .onnx, the
critic's reference per voice, and the fitting script's file edits."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from controllers.cast import builtin_cast, load_character
from controllers.target import EmotionTarget
from synth.tts import EmotionalTTS
from synth.tts.voice import default_voice_paths

TEXT = "The committee will meet again on Thursday to review the plans."


@pytest.fixture(scope="module")
def tts() -> EmotionalTTS:
    return EmotionalTTS.load("diffusion")


def _median_hz(f0: np.ndarray) -> float:
    f0 = np.asarray(f0)
    return float(np.median(f0[f0 > 0]))


def _rms_db(audio: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(np.asarray(audio, np.float64) ** 2)))


def _alpha_ratio_db(audio: np.ndarray, rate: int) -> float:
    """Energy above 1 kHz against below, dB (eGeMAPS's alpha ratio, whole take)."""
    spectrum = np.abs(np.fft.rfft(audio)) ** 2
    freqs = np.fft.rfftfreq(len(audio), 1 / rate)
    return float(10 * np.log10(spectrum[(freqs > 1000) & (freqs < 5000)].sum()
                               / spectrum[(freqs > 50) & (freqs <= 1000)].sum()))


def test_every_built_in_character_but_joe_has_a_voice_and_a_reference():
    from studio.critic.voice_reference import VoiceReference

    cast = {c.name: c for c in builtin_cast()}
    assert cast["joe"].voice.is_identity
    assert VoiceReference.load() is VoiceReference.load(cast["joe"].voice)  # joe's voice.json
    for name, character in cast.items():
        if name == "joe":
            continue
        voice = character.voice
        assert not voice.is_identity and voice.reference == name and voice.credit
        assert len(voice.envelope_db) == 20
        if character.sex == "female":  # a woman's pitch and a shorter vocal tract than joe's
            assert voice.pitch_shift_st > 5 and voice.formant_factor > 1.03, name
        else:
            assert voice.pitch_shift_st < 9, name
        reference = VoiceReference.load(voice)
        assert reference is not None, f"assets/critic/voices/{name}.json is missing"
        assert reference.info.get("voice") == name
    # the older characters speak slower and breathier than the young ones of their sex
    assert cast["ruth"].voice.rate < cast["mara"].voice.rate
    assert cast["ruth"].voice.breathiness > cast["mara"].voice.breathiness
    assert cast["walter"].voice.rate < cast["david"].voice.rate


def test_a_female_character_speaks_at_her_target_pitch(tts):
    joe = tts.neutral(TEXT, seed=1)
    mara = load_character("mara")
    hers = tts.neutral(TEXT, seed=1, character=mara)
    expected = _median_hz(joe.timeline.f0) * 2 ** (mara.voice.pitch_shift_st / 12)
    assert abs(12 * np.log2(_median_hz(hers.timeline.f0) / expected)) < 1.0
    assert 150 < _median_hz(hers.timeline.f0) < 260  # a woman's speaking pitch


@pytest.mark.parametrize("name", ["mara", "walter"])
def test_emotion_holds_relative_to_the_character_s_neutral(tts, name):
    character = load_character(name)
    takes = {e: tts.speak(EmotionTarget.from_category(e, 1.0) if e != "neutral"
                          else EmotionTarget.neutral(), seed=4, text=TEXT, character=character)
             for e in ("neutral", "sadness", "anger")}
    neutral, sad, angry = takes["neutral"], takes["sadness"], takes["anger"]
    assert len(sad.audio) > 1.1 * len(neutral.audio)  # slower
    assert _median_hz(sad.timeline.f0) < _median_hz(neutral.timeline.f0)  # lower
    assert _rms_db(angry.audio) > _rms_db(neutral.audio) + 1.0  # louder
    rate = neutral.sample_rate
    assert _alpha_ratio_db(angry.audio, rate) > _alpha_ratio_db(neutral.audio, rate) + 1.0
    # the same person: every take sits in the character's pitch region, not joe's
    joe = _median_hz(tts.neutral(TEXT, seed=4).timeline.f0)
    shift = character.voice.pitch_shift_st
    for take in (neutral, sad):
        assert abs(12 * np.log2(_median_hz(take.timeline.f0) / joe) - shift) < 2.5
    # the timeline describes the converted audio
    assert len(angry.timeline.energy) == len(angry.timeline.f0)
    assert angry.timeline.duration == pytest.approx(len(angry.audio) / rate, abs=0.01)


def test_a_user_piper_voice_by_path(tts, tmp_path):
    model, _ = default_voice_paths()  # joe's own .onnx (its .onnx.json beside it), by path
    (tmp_path / "hero.yaml").write_text(textwrap.dedent(f"""\
        name: hero
        sex: male
        age: 40
        voice: {{model: "{model}", pitch_shift_st: -2.0, formant_factor: 0.95}}
        """))
    (tmp_path / "plain.yaml").write_text(f'name: plain\nsex: male\nvoice: {{model: "{model}"}}\n')
    hero, plain = load_character(tmp_path / "hero.yaml"), load_character(tmp_path / "plain.yaml")
    assert hero.voice.model == str(model.resolve()) and not hero.voice.is_identity
    # the user's model as it is: the same samples as the same model built in
    assert np.array_equal(tts.neutral(TEXT, seed=5, character=plain).audio,
                          tts.neutral(TEXT, seed=5).audio)
    assert tts.piper_voice(plain.voice) is tts.piper_voice(hero.voice) is not tts.voice
    take = tts.speak(EmotionTarget.from_category("happiness", 0.8), seed=5, text=TEXT,
                     character=hero)
    lower = _median_hz(tts.neutral(TEXT, seed=5, character=hero).timeline.f0)
    assert lower < _median_hz(tts.neutral(TEXT, seed=5).timeline.f0)
    assert take.timeline.words and np.abs(take.audio).max() <= 10 ** (-1 / 20) + 1e-6


def test_fit_voices_edits_only_the_voice_section():
    from controllers.character import VoiceSpec
    from synth.tts.fit_voices import replace_voice_section, voice_yaml

    text = textwrap.dedent("""\
        name: x
        sex: female
        voice: {pitch_shift_st: 9.5,
                rate: 1.05}
        avatar: {gender: 0.0}
        # a comment of the avatar's helper
        performance: {blink_rate: 18}
        """)
    spec = VoiceSpec(pitch_shift_st=12.0, envelope_db=(1.0, -2.0), reference="x", credit="c")
    new = replace_voice_section(text, voice_yaml(spec, "fitted"))
    assert new.split("avatar:")[1] == text.split("avatar:")[1]
    assert new.startswith("name: x\nsex: female\nvoice:\n")
    import yaml

    from controllers.cast import character_from_dict

    assert character_from_dict(yaml.safe_load(new)).voice == spec


def test_fit_warp_recovers_a_known_vocal_tract_scale():
    from synth.tts.fit_voices import GRID_HZ, VoiceStats, fit_warp

    def stats(scale: float) -> VoiceStats:
        peaks = [500, 1500, 2500, 3500]
        db = sum(20 * np.exp(-0.5 * ((GRID_HZ - p * scale) / (80 * scale)) ** 2) for p in peaks)
        return VoiceStats(np.zeros(3), db - GRID_HZ / 1000, 0.1, np.array([1500, 2500]) * scale)

    factor, r = fit_warp(stats(1.0), stats(1.17))
    assert factor == pytest.approx(1.17, abs=0.011) and r > 0.95


class _BandBoost:
    """A voice-quality change that raises 2.0-2.5 kHz by 12 dB in every frame (a stand-in for the
    learned model, so that where its change lands can be read off the rendering)."""

    def apply(self, envelope, aperiodicity, timeline, f0, sample_rate):
        freqs = np.linspace(0.0, sample_rate / 2.0, envelope.shape[1])
        boost = np.where((freqs >= 2000) & (freqs <= 2500), 10 ** 1.2, 1.0)
        return envelope * boost[None, :], aperiodicity


@pytest.mark.parametrize("formant_factor", [1.25, 0.85])
def test_the_learned_voice_change_follows_only_a_longer_vocal_tract(tts, formant_factor):
    """The learned change lands in EmoDB's absolute bands for a tract as long as joe's or
    shorter, and moves down with the formants of a longer one (synth.tts.render.render)."""
    import dataclasses

    from synth.tts.render import render

    neutral = tts.neutral(TEXT, seed=1)
    timbre = dataclasses.replace(load_character("mara").voice, formant_factor=formant_factor,
                                 envelope_db=(), tilt_db=0.0, breathiness=0.0)
    offsets = np.zeros((len(neutral.timeline.syllables), 8))
    targets = [EmotionTarget.neutral()] * len(neutral.timeline.syllables)

    def spectrum(voice):
        audio, _ = render(neutral.audio, neutral.sample_rate, neutral.timeline, offsets, targets,
                          reference=neutral.timeline, voice=voice, timbre=timbre, seed=0)
        frames = np.lib.stride_tricks.sliding_window_view(audio, 1024)[::256] * np.hanning(1024)
        power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
        return 10 * np.log10(power.mean(axis=0) + 1e-12)

    freqs = np.fft.rfftfreq(1024, 1 / neutral.sample_rate)
    gain = spectrum(_BandBoost()) - spectrum(None)
    scale = 1.0 if formant_factor >= 1.0 else formant_factor
    inside = (freqs >= 2000 * scale + 100) & (freqs <= 2500 * scale - 100)
    if formant_factor >= 1.0:  # the boost stays at 2-2.5 kHz, not at 2.5-3.1 kHz
        outside = (freqs >= 2000 * formant_factor + 100) & (freqs <= 2500 * formant_factor - 100)
        assert gain[inside].mean() > 6.0 and gain[outside].mean() < 3.0
    else:  # it moves down with the formants, to 1.7-2.1 kHz
        assert gain[inside].mean() > 6.0
        assert gain[(freqs >= 2250) & (freqs <= 2400)].mean() < 3.0
