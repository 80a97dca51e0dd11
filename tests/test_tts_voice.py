"""The neutral voice (piper + dur_scale + seeded noise) and its timeline, with the real voice."""

from __future__ import annotations

import numpy as np
import pytest

from controllers.errors import InputError
from synth.tts import Voice
from synth.tts.acoustics import frame_count
from synth.tts.phonology import is_vowel
from synth.tts.voice import NEUTRAL_PEAK_DBFS
from synth.tts.voice import default_voice_paths

TEXT = "Please put the 42 blue folders in the second shelf, then wait."


@pytest.fixture(scope="module")
def speech(voice):
    return voice.synthesize(TEXT, seed=3)


def test_neutral_speech_has_a_consistent_timeline(speech):
    tl = speech.timeline
    assert speech.audio.dtype == np.float32 and speech.sample_rate == 22050
    assert tl.duration == pytest.approx(len(speech.audio) / speech.sample_rate)
    peak = np.abs(speech.audio).max()
    assert 10 ** ((NEUTRAL_PEAK_DBFS - 0.5) / 20) < peak <= 10 ** ((NEUTRAL_PEAK_DBFS + 0.5) / 20)
    # phonemes tile the audio without gaps or overlaps
    starts = np.array([p.start for p in tl.phonemes])
    ends = np.array([p.end for p in tl.phonemes])
    assert starts[0] == 0.0 and ends[-1] == pytest.approx(tl.duration)
    np.testing.assert_allclose(starts[1:], ends[:-1], atol=1e-9)
    assert np.all(ends > starts)
    # the comma and the sentence end are pauses; pauses belong to no word
    assert sum(p.symbol == "_" for p in tl.phonemes) >= 3
    assert all(p.word == -1 for p in tl.phonemes if p.symbol == "_")
    n = frame_count(len(speech.audio), speech.sample_rate, tl.hop)
    assert tl.f0.shape == (n,) and tl.energy.shape == (n,)


def test_words_point_into_the_text(speech):
    words = speech.timeline.words
    texts = [w.text for w in words]
    assert texts == ["Please", "put", "the", "42", "blue", "folders", "in", "the", "second",
                     "shelf", "then", "wait"]
    for w in words:
        assert TEXT[w.char_start:w.char_start + len(w.text)] == w.text
    assert all(a.end <= b.start + 1e-9 for a, b in zip(words, words[1:]))
    # "42" is read "forty two": a long word of several syllables
    forty_two = words[3]
    assert sum(s.word == 3 for s in speech.timeline.syllables) >= 3
    assert forty_two.end - forty_two.start > words[2].end - words[2].start


def test_syllables_have_one_nucleus_and_stress(speech):
    tl = speech.timeline
    for i, syl in enumerate(tl.syllables):
        members = [p for p in tl.phonemes if p.syllable == i]
        assert sum(is_vowel(p.symbol) for p in members) == 1
        assert all(p.stress == syl.stress for p in members)
        assert members[0].start == pytest.approx(syl.start)
    assert {s.stress for s in tl.syllables} >= {0, 1}
    # espeak's symbols are merged into phonemes: long vowels and diphthongs are one symbol
    symbols = {p.symbol for p in tl.phonemes}
    assert "iː" in symbols and "uː" in symbols and not symbols & {"ː", "ˈ", " "}


def test_f0_is_the_voice_own_octave(speech):
    f0 = speech.timeline.f0
    voiced = f0[f0 > 0]
    assert 0.3 < len(voiced) / len(f0) < 0.9
    # joe is a low voice (~85 Hz); DIO alone doubled it
    assert 60 < np.median(voiced) < 130
    # loud parts within 14 dB of the peak level, pauses far below
    energy = speech.timeline.energy
    assert energy.max() > NEUTRAL_PEAK_DBFS - 14 and energy.min() < -50


def test_same_seed_same_samples_other_seed_other_take(voice):
    a = voice.synthesize("Good morning.", seed=11)
    b = voice.synthesize("Good morning.", seed=11)
    c = voice.synthesize("Good morning.", seed=12)
    np.testing.assert_array_equal(a.audio, b.audio)
    assert len(a.audio) != len(c.audio) or not np.array_equal(a.audio, c.audio)


def test_the_voice_reads_on_as_many_threads_on_every_machine(voice, monkeypatch):
    """onnxruntime's sums differ in their last bits between thread counts: a voice loaded
    without a thread count reads on :data:`THREADS` whatever the cores, so that a seed gives
    the same samples on every machine and in every process."""
    from synth.tts import voice as voice_module

    monkeypatch.delenv("EMOSTUDIO_TTS_THREADS", raising=False)
    monkeypatch.setattr(voice_module.os, "cpu_count", lambda: 16)
    loaded = Voice.load()
    assert loaded is Voice.load(threads=voice_module.THREADS)
    assert loaded.session.get_session_options().intra_op_num_threads == voice_module.THREADS


def test_dur_scale_retimes_one_word_only(voice):
    text = "The train leaves at nine."
    tokens = voice.tokens(text)
    plain = voice.speak_tokens(text, seed=5, tokens=tokens)
    scale = np.ones(len(tokens))
    # lengthen the symbols of "train" (the second space-delimited word)
    spaces = 0
    for i, t in enumerate(tokens):
        if t.symbol == " ":
            spaces += 1
        elif spaces == 1:
            scale[i] = 2.0
    slow = voice.speak_tokens(text, scale, seed=5, tokens=tokens)
    plain_counts = np.array([t.samples for t in plain.tokens])
    slow_counts = np.array([t.samples for t in slow.tokens])
    stretched = scale == 2.0
    ratio = slow_counts[stretched].sum() / plain_counts[stretched].sum()
    assert 1.5 < ratio < 2.3  # whole decoder frames: ceil(2w) <= 2 ceil(w)
    np.testing.assert_array_equal(slow_counts[~stretched], plain_counts[~stretched])
    assert slow_counts.sum() == len(slow.audio)


def test_voice_by_path_and_bad_paths(voice, tmp_path):
    model, config = default_voice_paths()
    assert Voice.load(model, config).sample_rate == voice.sample_rate
    with pytest.raises(InputError, match="does not exist"):
        Voice.load(tmp_path / "missing.onnx")
    with pytest.raises(InputError, match="nothing to say"):
        voice.tokens("   ")
