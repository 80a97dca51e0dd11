"""Emotional synthesis end to end with the real voice and the rule prosody model."""

from __future__ import annotations

import numpy as np
import pytest

from controllers.errors import InputError
from controllers.target import EmotionPlan, EmotionSegment, EmotionTarget
from synth.contracts import Syllable, Timeline
from synth.tts import EmotionalTTS
from synth.tts.acoustics import f0_contour
from synth.tts.render import fit_to_ceiling, limit, syllable_curve, syllable_f0_stats
from synth.tts.synthesizer import syllable_targets

TEXT = "The package arrived on Tuesday afternoon."


@pytest.fixture(scope="module")
def tts() -> EmotionalTTS:
    return EmotionalTTS.load(prosody="rules")


@pytest.fixture(scope="module")
def takes(tts):
    """Neutral, angry and sad takes of one sentence, same seed."""
    return {name: tts.speak(EmotionTarget.from_category(name, 1.0 if name != "neutral" else 0.0),
                            seed=4, text=TEXT)
            for name in ("neutral", "anger", "sadness")}


def _median_f0(speech) -> float:
    f0 = speech.timeline.f0
    return float(np.median(f0[f0 > 0]))


def _rms_db(speech) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(speech.audio.astype(np.float64) ** 2))))


def test_anger_is_higher_louder_faster_sadness_lower_softer_slower(takes):
    neutral, anger, sad = takes["neutral"], takes["anger"], takes["sadness"]
    assert _median_f0(anger) > _median_f0(neutral) * 2 ** (1.5 / 12)
    assert _median_f0(sad) < _median_f0(neutral) * 2 ** (-1 / 12)
    assert _rms_db(anger) > _rms_db(neutral) + 1.0 > _rms_db(sad) + 2.0
    assert anger.duration < neutral.duration < sad.duration


def test_emotional_timeline_describes_the_emotional_audio(takes):
    sad = takes["sadness"]
    tl = sad.timeline
    assert tl.duration == pytest.approx(len(sad.audio) / sad.sample_rate)
    assert tl.phonemes[-1].end == pytest.approx(tl.duration)
    assert [w.text for w in tl.words] == TEXT.rstrip(".").split()
    # the timeline's F0 is what was rendered: re-measuring the audio agrees (same octave)
    measured = f0_contour(sad.audio, sad.sample_rate, tl.hop)
    both = (measured > 0) & (tl.f0 > 0)
    assert both.mean() > 0.3
    assert np.median(np.abs(12 * np.log2(measured[both] / tl.f0[both]))) < 1.0


def test_output_never_clips(tts):
    shout = EmotionTarget.from_category("anger", 1.0, {"loudness": "loud", "voice_quality": "tense"})
    speech = tts.speak(shout, seed=1, text="Get out of here now!")
    assert np.abs(speech.audio).max() <= 10 ** (-1 / 20) + 1e-6


def test_whisper_has_no_voiced_frames(tts):
    whisper = EmotionTarget.from_category("fear", 0.5, {"voice_quality": "whisper"})
    speech = tts.speak(whisper, seed=2, text=TEXT)
    assert not np.any(speech.timeline.f0 > 0)
    # a pitch tracker hears voice in at most a few frames (as in real whispers)
    assert np.mean(f0_contour(speech.audio, speech.sample_rate) > 0) < 0.05
    assert np.abs(speech.audio).max() > 0.01  # still audible


def test_seeds_reproduce_and_vary(tts, takes):
    again = tts.speak(EmotionTarget.from_category("anger", 1.0), seed=4, text=TEXT)
    np.testing.assert_array_equal(again.audio, takes["anger"].audio)
    other = tts.speak(EmotionTarget.from_category("anger", 1.0), seed=5, text=TEXT)
    a, b = takes["anger"].timeline.f0, other.timeline.f0
    n = min(len(a), len(b))
    assert len(a) != len(b) or np.abs(a[:n] - b[:n]).max() > 5.0


def test_emotion_change_inside_a_line(tts):
    text = "I was calm at first but now I am furious with all of you."
    change = text.index("but")
    plan = EmotionPlan(text, (
        EmotionSegment(0, text[:change], EmotionTarget.from_category("sadness", 1.0)),
        EmotionSegment(change, text[change:], EmotionTarget.from_category("anger", 1.0))))
    speech = tts.speak(plan, seed=0)
    neutral = tts.voice.synthesize(text, seed=0)
    tl = speech.timeline
    # each syllable's F0 against the same syllable of the neutral reading
    shift = (syllable_f0_stats(tl.f0, tl.syllables, tl.hop)[0]
             - syllable_f0_stats(neutral.timeline.f0, neutral.timeline.syllables, tl.hop)[0])
    first = np.array([tl.words[s.word].char_start < change for s in tl.syllables])
    assert np.nanmean(shift[first]) < -1.0 and np.nanmean(shift[~first]) > 1.0
    # the targets cross-fade over the syllables around the change
    targets = syllable_targets(plan, tl)
    arousal = np.array([x.arousal for x in targets])
    assert arousal[0] < 0 < arousal[-1]
    steps = np.abs(np.diff(arousal))
    assert steps.max() < 0.5 * (arousal[-1] - arousal[0])


def test_guidance_scales_the_performance(tts, takes):
    anger = EmotionTarget.from_category("anger", 1.0)
    flat = tts.speak(anger, seed=4, text=TEXT, guidance=0.0)
    np.testing.assert_array_equal(flat.audio, takes["neutral"].audio)
    strong = tts.speak(anger, seed=4, text=TEXT, guidance=1.5)
    assert _median_f0(strong) > _median_f0(takes["anger"])
    with pytest.raises(InputError, match="guidance"):
        tts.speak(anger, seed=4, text=TEXT, guidance=-1.0)


def test_prosody_none_is_the_bare_voice(tts):
    bare = EmotionalTTS.load(prosody="none", voice=tts.voice)
    a = bare.speak(EmotionTarget.from_category("anger", 1.0), seed=3, text="Hello there.")
    b = tts.voice.synthesize("Hello there.", seed=3)
    np.testing.assert_array_equal(a.audio, b.audio)


def test_bad_input(tts):
    with pytest.raises(InputError, match="empty"):
        tts.speak(EmotionTarget.neutral(), text="  ")
    with pytest.raises(InputError, match="accepted"):
        EmotionalTTS.load(prosody="opera")
    with pytest.raises(InputError, match="text="):
        tts.speak(EmotionTarget.neutral())


def test_syllable_curve_and_limiter():
    syllables = [Syllable(0.0, 0.1), Syllable(0.2, 0.3)]
    curve = syllable_curve(np.array([0.0, 10.0]), syllables, 70, 0.005)
    assert curve[5] == 0.0 and curve[50] == 10.0
    assert 0 < curve[30] < 10 and np.all(np.diff(curve) >= 0)  # linear across the gap
    x = np.sin(np.linspace(0, 200, 22050)) * 3.0
    y = limit(x, 22050, ceiling_dbfs=-1.0)
    assert np.abs(y).max() <= 10 ** (-1 / 20) + 1e-6
    assert np.corrcoef(x, y)[0, 1] > 0.99
    assert Timeline(duration=0.0).duration == 0.0



def test_fit_to_ceiling_leaves_the_limiter_only_transients():
    loud = np.sin(np.linspace(0, 200, 22050)) * 3.0  # peak +9.5 dBFS
    fitted = fit_to_ceiling(loud, ceiling_dbfs=-1.0, max_limiting_db=1.0)
    assert np.abs(fitted).max() == pytest.approx(1.0, rel=1e-6)  # -1 dBFS + 1 dB
    np.testing.assert_allclose(fitted, loud / 3.0)  # one gain for the whole take
    quiet = loud / 10.0
    np.testing.assert_array_equal(fit_to_ceiling(quiet, -1.0, 1.0), quiet)
    assert len(fit_to_ceiling(np.zeros(0), -1.0, 1.0)) == 0


def test_a_hot_take_keeps_its_dynamics_through_gain_then_limiter(takes):
    """An angry take 10 dB too hot: the limiter alone flattens its peaks (crest factor down by
    more than 3 dB), the whole-take gain first leaves the limiter at most 1 dB to remove."""
    take = takes["anger"]
    audio = take.audio.astype(np.float64)
    hot = audio * 10 ** (9 / 20) / np.abs(audio).max()  # peak at +9 dBFS, 10 dB over the ceiling

    def crest_db(x):
        x = np.asarray(x, np.float64)
        return 20 * np.log10(np.abs(x).max()) - 10 * np.log10(np.mean(x ** 2))

    squashed = limit(hot, take.sample_rate, ceiling_dbfs=-1.0)
    kept = limit(fit_to_ceiling(hot, -1.0, 1.0), take.sample_rate, ceiling_dbfs=-1.0)
    assert crest_db(hot) - crest_db(squashed) > 3.0
    assert crest_db(hot) - crest_db(kept) < 1.0 + 1e-3
    assert np.abs(kept).max() <= 10 ** (-1 / 20) + 1e-6

class _FixedOffsets:
    """A stand-in prosody model: the same offsets on every syllable."""

    name = "fixed"

    def __init__(self, row: list[float]) -> None:
        self.row = np.asarray(row, np.float32)

    def predict(self, timeline, targets, seed=None):
        return np.tile(self.row, (len(timeline.syllables), 1))


def _band_db(audio: np.ndarray, rate: int, lo: float, hi: float) -> float:
    spectrum = np.abs(np.fft.rfft(audio.astype(np.float64))) ** 2
    freqs = np.fft.rfftfreq(len(audio), 1.0 / rate)
    return float(10 * np.log10(spectrum[(freqs >= lo) & (freqs < hi)].sum()))


def test_renderer_realises_the_offsets(tts):
    # level +3 st, span +0, slope 0, duration x1.2, no pause, +4 dB, tilt +4 dB, breathiness 0
    fixed = EmotionalTTS(tts.voice, _FixedOffsets([3.0, 0, 0, np.log(1.2), 0, 4.0, 4.0, 0]))
    flat = EmotionalTTS(tts.voice, _FixedOffsets([0.0] * 8))
    a = flat.speak(None, seed=6, text=TEXT)
    b = fixed.speak(None, seed=6, text=TEXT)
    shift = (syllable_f0_stats(b.timeline.f0, b.timeline.syllables, b.timeline.hop)[0]
             - syllable_f0_stats(a.timeline.f0, a.timeline.syllables, a.timeline.hop)[0])
    assert abs(np.nanmedian(shift) - 3.0) < 0.5
    assert 1.05 < b.duration / a.duration < 1.3  # durations come from the voice (dur_scale)
    low = _band_db(b.audio, b.sample_rate, 50, 500) - _band_db(a.audio, a.sample_rate, 50, 500)
    high = _band_db(b.audio, b.sample_rate, 2000, 5000) - _band_db(a.audio, a.sample_rate, 2000, 5000)
    assert 2.0 < low < 6.0 and 2.5 < high - low < 6.0


def test_unvoiced_frames_are_the_inputs_own_samples_filtered(tts):
    """Fricatives and bursts are not re-synthesised: with no change the unvoiced frames of a
    rendering are the input's own samples (WORLD's noise in their place is another waveform),
    and a darker tilt reaches them as a filter."""
    from synth.tts.render import RenderConfig, render

    speech = tts.neutral(TEXT, seed=6)
    timeline, rate = speech.timeline, speech.sample_rate
    targets = [EmotionTarget.from_category("neutral", 0.0)] * len(timeline.syllables)

    def rendered(config: RenderConfig, tilt: float = 0.0) -> np.ndarray:
        offsets = np.zeros((len(timeline.syllables), 8))
        offsets[:, 6] = tilt
        return render(speech.audio, rate, timeline, offsets, targets, config,
                      f0_hz=timeline.f0, reference=timeline)[0]

    # samples of unvoiced speech frames (two frames away from any voiced one, not silence)
    unvoiced = np.convolve((timeline.f0 > 0).astype(float), np.ones(5), "same") == 0
    frames = np.flatnonzero(unvoiced & (timeline.energy > -45.0))
    hop = timeline.hop * rate
    samples = np.unique(np.concatenate([np.arange(int(k * hop), int((k + 1) * hop))
                                        for k in frames]))
    samples = samples[samples < len(speech.audio)]
    assert len(samples) > 0.02 * rate  # the line has fricatives and bursts

    def correlation(y: np.ndarray) -> float:
        return float(np.corrcoef(y[samples], speech.audio[samples])[0, 1])

    assert correlation(rendered(RenderConfig())) > 0.99
    assert correlation(rendered(RenderConfig(keep_unvoiced=False))) < 0.5
    dark, plain = rendered(RenderConfig(), tilt=-6.0), rendered(RenderConfig())
    change = (_band_db(dark[samples], rate, 2500, 8000)
              - _band_db(plain[samples], rate, 2500, 8000))
    assert -7.5 < change < -4.0, change


def test_a_character_s_timbre_re_synthesises_its_unvoiced_frames(tts):
    """A timbre's vocal-tract warp is not a filter: in a character's voice the unvoiced frames
    are WORLD's, as before kept frames existed (the cast's takes did not change with them)."""
    from controllers.cast import load_character
    from synth.tts.render import RenderConfig, render

    speech = tts.neutral(TEXT, seed=6)
    timeline = speech.timeline
    targets = [EmotionTarget.from_category("neutral", 0.0)] * len(timeline.syllables)
    offsets = np.zeros((len(timeline.syllables), 8))
    walter = load_character("walter").voice

    def rendered(config: RenderConfig, timbre) -> np.ndarray:
        return render(speech.audio, speech.sample_rate, timeline, offsets, targets, config,
                      f0_hz=timeline.f0, reference=timeline, timbre=timbre)[0]

    assert np.array_equal(rendered(RenderConfig(), walter),
                          rendered(RenderConfig(keep_unvoiced=False), walter))
    assert not np.array_equal(rendered(RenderConfig(), None),
                              rendered(RenderConfig(keep_unvoiced=False), None))


def _low_band_slope_db_per_khz(audio: np.ndarray, rate: int) -> float:
    """Least-squares slope of the long-term dB spectrum between 50 and 500 Hz, dB per kHz."""
    spectrum = np.abs(np.fft.rfft(audio)) ** 2
    freqs = np.fft.rfftfreq(len(audio), 1.0 / rate)
    band = (freqs >= 50) & (freqs <= 500)
    return float(np.polyfit(freqs[band] / 1000.0, 10 * np.log10(spectrum[band] + 1e-12), 1)[0])


def test_breathiness_adds_noise_and_a_stronger_first_harmonic_in_a_soft_voice(tts):
    """Breathy phonation: more aperiodic energy (lower HNR) and, where the voice is also soft
    (negative tilt: lax), a steeper low-frequency slope; a tense voice keeps its slope."""
    import parselmouth

    def take(tilt: float, breathiness: float):
        row = [0.0, 0, 0, 0, 0, 0, tilt, breathiness]
        return EmotionalTTS(tts.voice, _FixedOffsets(row)).speak(None, seed=6, text=TEXT)

    def hnr(speech) -> float:
        sound = parselmouth.Sound(speech.audio.astype(np.float64), speech.sample_rate)
        values = sound.to_harmonicity_cc().values
        return float(values[values > -100].mean())

    def slope(speech) -> float:
        return _low_band_slope_db_per_khz(speech.audio, speech.sample_rate)

    soft, soft_breathy = take(-3.0, 0.0), take(-3.0, 0.4)
    tense, tense_breathy = take(4.0, 0.0), take(4.0, 0.4)
    assert hnr(soft_breathy) < hnr(soft) - 1.0 and hnr(tense_breathy) < hnr(tense) - 1.0
    soft_change = slope(soft_breathy) - slope(soft)
    tense_change = slope(tense_breathy) - slope(tense)
    assert soft_change < -5.0 and soft_change < tense_change - 5.0, (soft_change, tense_change)


class _CountingVoice:
    """The real voice, counting how often it is run (speak_tokens / synthesize)."""

    def __init__(self, voice) -> None:
        self._voice = voice
        self.runs = 0

    def speak_tokens(self, *args, **kwargs):
        self.runs += 1
        return self._voice.speak_tokens(*args, **kwargs)

    def synthesize(self, *args, **kwargs):
        self.runs += 1
        return self._voice.synthesize(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._voice, name)


def _assert_same_speech(a, b) -> None:
    np.testing.assert_array_equal(a.audio, b.audio)
    assert a.sample_rate == b.sample_rate
    assert a.timeline.words == b.timeline.words
    assert a.timeline.syllables == b.timeline.syllables
    assert a.timeline.phonemes == b.timeline.phonemes
    np.testing.assert_array_equal(a.timeline.f0, b.timeline.f0)
    np.testing.assert_array_equal(a.timeline.energy, b.timeline.energy)


def test_neutral_after_speak_reuses_the_first_pass(tts, monkeypatch):
    import synth.tts.synthesizer as synthesizer

    text = "Bring the blue folder tomorrow."
    voice = _CountingVoice(tts.voice)
    fresh = EmotionalTTS(voice, tts.prosody)
    fresh.speak(EmotionTarget.from_category("anger", 1.0), seed=11, text=text)
    runs = voice.runs
    assert runs == 1  # the neutral pass, re-timed without reading again (synth.tts.retime)
    first = fresh.neutral(text, seed=11)
    assert voice.runs == runs  # no second voice run
    reference = tts.voice.synthesize(text, seed=11)
    _assert_same_speech(first, reference)
    # what a caller does to its copy never reaches the cache
    first.audio[:] = 0
    first.timeline.f0[:] = 0
    first.timeline.words[0].start = 99.0
    again = fresh.neutral(text, seed=11)
    assert voice.runs == runs
    _assert_same_speech(again, reference)
    # another seed is another reading; a bounded cache forgets the oldest
    fresh.neutral(text, seed=12)
    assert voice.runs == runs + 1
    monkeypatch.setattr(synthesizer, "NEUTRAL_CACHE_SIZE", 1)
    fresh.neutral("Hi.", seed=1)
    fresh.neutral(text, seed=11)
    assert voice.runs == runs + 3
    assert len(fresh._neutral_cache) == 1


def test_a_character_s_neutral_reading_gets_its_timbre_only_when_asked(tts, monkeypatch):
    """speak() keeps its first pass in piper's timbre; the character's timbre pass (a WORLD
    analysis and resynthesis) runs once, when a neutral() asks, and gives what a fresh reading
    gives."""
    import synth.tts.synthesizer as synthesizer
    from controllers.cast import load_character

    mara = load_character("mara")
    text = "Bring the blue folder tomorrow."
    passes = []
    real_pass = synthesizer.timbre_pass
    monkeypatch.setattr(synthesizer, "timbre_pass",
                        lambda *a, **k: passes.append(1) or real_pass(*a, **k))
    voice = _CountingVoice(tts.voice)
    fresh = EmotionalTTS(voice, tts.prosody)
    take = fresh.speak(EmotionTarget.from_category("sadness", 1.0), seed=5, text=text,
                       character=mara)
    assert len(take.audio) and passes == [] and voice.runs == 1
    first = fresh.neutral(text, seed=5, character=mara)
    assert passes == [1] and voice.runs == 1
    again = fresh.neutral(text, seed=5, character=mara)
    assert passes == [1] and voice.runs == 1
    reference = EmotionalTTS(tts.voice, None).neutral(text, seed=5, character=mara)
    _assert_same_speech(first, reference)
    _assert_same_speech(again, reference)


def test_aroused_takes_are_louder_than_neutral_after_the_limiter():
    """The neutral reading leaves the headroom that anger's loudness needs (NEUTRAL_PEAK_DBFS):
    with too little, the whole-take gain before the limiter took most of it back (at -6 dBFS
    anger was 2.5 dB over this neutral take, 0.3 dB under ``EmotionTarget.neutral()``'s)."""
    tts = EmotionalTTS.load(prosody="diffusion")
    takes = {name: tts.speak(EmotionTarget.from_category(name, 1.0 if name != "neutral" else 0.0),
                             seed=4, text="The committee will meet again on Thursday to review "
                             "the plans.")
             for name in ("neutral", "anger", "happiness", "fear")}
    level = {name: _rms_db(speech) for name, speech in takes.items()}
    assert level["anger"] > level["neutral"] + 3.0, level
    assert min(level["happiness"], level["fear"]) > level["neutral"] + 1.5, level
    for speech in takes.values():
        assert np.abs(speech.audio).max() <= 10 ** (-1 / 20) + 1e-6
