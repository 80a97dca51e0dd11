"""The audio-only path: pocketsphinx alignment of a recording to a Timeline."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from controllers.errors import InputError
from synth.tts import Voice, align_recording, transcribe
from synth.tts.align import ipa_to_arpabet

TEXT = "Please put the blue folder on the second shelf."


@pytest.fixture(scope="module")
def spoken():
    return Voice.load().synthesize(TEXT, seed=1)


@pytest.fixture(scope="module")
def aligned(spoken, tmp_path_factory):
    # through a 16 kHz file: the path reader and the resampler are exercised too
    from scipy.signal import resample_poly

    path = tmp_path_factory.mktemp("align") / "take16k.wav"
    sf.write(path, resample_poly(spoken.audio, 320, 441), 16000)
    return align_recording(path, transcript=TEXT)


def test_alignment_with_transcript_matches_the_voice_timing(spoken, aligned):
    words = aligned.timeline.words
    assert [w.text for w in words] == TEXT.rstrip(".").split()
    assert [w.char_start for w in words] == [w.char_start for w in spoken.timeline.words]
    truth = np.array([(w.start, w.end) for w in spoken.timeline.words])
    found = np.array([(w.start, w.end) for w in words])
    assert np.median(np.abs(truth - found)) < 0.05
    assert aligned.sample_rate == 16000


def test_aligned_phonemes_use_the_voice_symbols(spoken, aligned):
    tl = aligned.timeline
    voice_symbols = {p.symbol for p in spoken.timeline.phonemes}
    symbols = [p.symbol for p in tl.phonemes if p.symbol != "_"]
    assert sum(s in voice_symbols for s in symbols) / len(symbols) > 0.8
    assert len(tl.syllables) == len(spoken.timeline.syllables)
    assert {s.stress for s in tl.syllables} >= {0, 1}
    assert all(a.end <= b.start + 1e-6 for a, b in zip(tl.phonemes, tl.phonemes[1:]))
    f0 = tl.f0[tl.f0 > 0]
    assert len(f0) > 0.3 * len(tl.f0) and 60 < np.median(f0) < 130


def test_alignment_without_transcript_recognises_words(spoken):
    speech = align_recording(spoken.audio, spoken.sample_rate)
    words = [w.text.lower() for w in speech.timeline.words]
    expected = set(TEXT.lower().rstrip(".").split())
    assert len(set(words) & expected) >= 5
    assert all(w.start < w.end for w in speech.timeline.words)
    assert set(transcribe(spoken.audio, spoken.sample_rate).split()) & expected


def test_failed_forced_alignment_falls_back_on_recognition(spoken, monkeypatch):
    import synth.tts.align as align

    def give_up(*args):
        raise RuntimeError("no alignment")

    monkeypatch.setattr(align, "_align_phones", give_up)
    speech = align_recording(spoken.audio, spoken.sample_rate, transcript=TEXT)
    assert len(speech.timeline.words) >= 6 and len(speech.timeline.syllables) >= 6
    assert all(a.end <= b.start + 1e-6 for a, b in zip(speech.timeline.words,
                                                       speech.timeline.words[1:]))


def test_unknown_words_and_bad_input():
    assert ipa_to_arpabet("zˈɔːɹblæks") == ["Z", "AO", "R", "B", "L", "AE", "K", "S"]
    with pytest.raises(InputError, match="shorter"):
        align_recording(np.zeros(100, np.float32), 16000)
    with pytest.raises(InputError, match="sample rate"):
        align_recording(np.zeros(16000, np.float32))
