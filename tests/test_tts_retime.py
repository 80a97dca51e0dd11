"""Re-timing a reading without reading it again (synth.tts.retime), with the real voice."""

from __future__ import annotations

import numpy as np
import pytest

from synth.tts.retime import retime, source_positions, wsola

TEXT = "The bridge to the northern village collapsed last night, so we go around."


@pytest.fixture(scope="module")
def reading(voice):
    return voice.speak_tokens(TEXT, seed=3)


def test_unchanged_durations_give_back_the_reading(reading):
    same = retime(reading, np.ones(len(reading.tokens)))
    assert [t.samples for t in same.tokens] == [t.samples for t in reading.tokens]
    np.testing.assert_allclose(same.audio, reading.audio, atol=1e-5)


@pytest.mark.parametrize("spread", [0.15, 0.4])
def test_symbols_get_the_samples_the_voice_gives_reading_again(voice, reading, spread):
    """The re-timed reading has, symbol for symbol, the sample counts of the voice reading the
    text again with the scaled durations (whole decoder frames, rounded as piper rounds)."""
    rng = np.random.default_rng(int(spread * 100))
    factors = np.exp(rng.normal(0.0, spread, len(reading.tokens)))
    factors[5:9] = 3.0  # a long pause-like stretch
    moved = retime(reading, factors)
    again = voice.speak_tokens(TEXT, factors, seed=3)
    assert [t.samples for t in moved.tokens] == [t.samples for t in again.tokens]
    assert len(moved.audio) == len(again.audio) == sum(t.samples for t in moved.tokens)
    np.testing.assert_allclose(moved.durations, again.durations, rtol=1e-5)


def test_a_reading_at_its_own_rate_retimes_relative_to_it(voice):
    """A reading already read at a rate (a character's) re-timed by factor f matches the voice
    reading it at rate x f."""
    tokens = voice.tokens(TEXT)
    base = np.full(len(tokens), 1 / 1.15)
    factors = np.linspace(0.7, 1.6, len(tokens))
    moved = retime(voice.speak_tokens(TEXT, base, seed=4, tokens=tokens), factors)
    again = voice.speak_tokens(TEXT, base * factors, seed=4, tokens=tokens)
    assert [t.samples for t in moved.tokens] == [t.samples for t in again.tokens]


def test_wsola_keeps_the_pitch_and_moves_the_events():
    """A 150 Hz tone with a click stretched 1.5x before the click: the tone stays at 150 Hz and
    the click lands where the map puts it."""
    sr = 22050
    t = np.arange(sr) / sr
    x = 0.3 * np.sin(2 * np.pi * 150.0 * t)
    x[sr // 2] += 1.0
    source = np.array([0.0, sr // 2, sr])
    target = np.array([0.0, 0.75 * sr, 1.25 * sr])
    y = wsola(x, source, target, sr)
    assert len(y) == int(1.25 * sr)
    steady = y[2000:14000]
    spectrum = np.abs(np.fft.rfft(steady * np.hanning(len(steady))))
    peak_hz = np.argmax(spectrum) * sr / len(steady)
    assert abs(peak_hz - 150.0) < 3.0
    assert abs(int(np.argmax(np.abs(y))) - int(0.75 * sr)) < 0.01 * sr


def test_source_positions_follow_the_symbol_boundaries(reading):
    moved = retime(reading, np.full(len(reading.tokens), 2.0))
    ends = np.cumsum([t.samples for t in moved.tokens])
    back = source_positions(ends, reading.tokens, moved.tokens)
    np.testing.assert_allclose(back, np.cumsum([t.samples for t in reading.tokens]))


def test_wsola_keeps_the_level_and_colour_of_stretched_noise():
    """Noise (a fricative) stretched 1.6x keeps its level in every band: frames that WSOLA cannot
    align add up without the 3 dB dip mid-fade that would take its high band."""
    sr = 22050
    x = np.random.default_rng(1).standard_normal(sr).astype(np.float32) * 0.1
    y = wsola(x, np.array([0.0, sr]), np.array([0.0, 1.6 * sr]), sr)

    def band_db(a, lo, hi):
        spectrum = np.abs(np.fft.rfft(a)) ** 2 / len(a)
        freqs = np.fft.rfftfreq(len(a), 1 / sr)
        return 10 * np.log10(spectrum[(freqs >= lo) & (freqs < hi)].mean())

    for lo, hi in ((100, 1000), (1000, 4000), (4000, 10000)):
        assert abs(band_db(y, lo, hi) - band_db(x, lo, hi)) < 0.2, (lo, hi)
