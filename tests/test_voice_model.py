"""The learned voice-quality model (synth/voice): EmoDB data prep, shipped weights, and its effect
on a real piper take rendered through WORLD."""

from __future__ import annotations

import numpy as np
import pytest

from controllers.target import EmotionTarget
from synth.voice import VoiceQualityModel, VoiceShape
from synth.voice.bands import (
    HIGH_HZ,
    PHONE_CLASSES,
    band_centres,
    delta_size,
    from_cepstrum,
    split_delta,
)

TEXT = "The train to the coast leaves at half past nine."


def band_db(audio: np.ndarray, sample_rate: int, low: float, high: float) -> float:
    """Long-term energy of ``audio`` between ``low`` and ``high`` Hertz, dB (Welch average)."""
    from scipy.signal import welch

    freqs, power = welch(audio, sample_rate, nperseg=1024)
    return 10.0 * np.log10(power[(freqs >= low) & (freqs < high)].sum() + 1e-20)


def alpha_ratio(audio: np.ndarray, sample_rate: int) -> float:
    """eGeMAPS' alpha ratio on the whole take: energy 1-5 kHz over 50 Hz-1 kHz, dB."""
    return band_db(audio, sample_rate, 1000, 5000) - band_db(audio, sample_rate, 50, 1000)


# -- data prep on real EmoDB files -------------------------------------------------------------
def test_emodb_deltas_from_real_recordings(emodb):
    from synth.prosody.emodb import EMODB_EMOTIONS
    from synth.voice.emodb import build_table, frame_classes, read_phones

    phones = read_phones(emodb, "03a01Wa")  # "Der Lappen liegt auf dem Eisschrank."
    assert phones and all(p.start < 2.0 and p.end > p.start for p in phones)
    vowels = [p.label for p in phones if p.is_vowel]
    assert vowels[:4] == ["E", "a", "i", "aU"] and not any(p.is_pause for p in phones)
    f0 = np.where(np.arange(400) % 3 == 0, 0.0, 120.0)
    classes, _ = frame_classes(phones, f0)
    assert set(np.unique(classes)) == {-1, 0, 1, 2}

    # actor 03, sentence a02: neutral, angry and sad takes
    table = build_table(emodb, progress=False, stems=["03a02Wb", "03a02Ta", "03a02Nc"])
    assert table["delta"].shape == (3, delta_size())
    emotion = [EMODB_EMOTIONS[k] for k in table["emotion"]]
    assert sorted(emotion) == ["anger", "neutral", "sadness"]
    delta = dict(zip(emotion, table["delta"]))
    assert np.all(delta["neutral"] == 0)
    vowel = PHONE_CLASSES.index("vowel")
    bands = {e: from_cepstrum(split_delta(d)[0][vowel]) for e, d in delta.items()}
    assert all(np.isfinite(b).all() for b in bands.values())
    low, high = band_centres() < 500, (band_centres() > 1500) & (band_centres() < 5000)
    # the angry actor's vowels are brighter than his neutral ones: mid-high bands up, lows down
    assert bands["anger"][high].mean() - bands["anger"][low].mean() > 6.0
    assert bands["anger"][high].mean() > bands["sadness"][high].mean() + 3.0


# -- the shipped model ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def model() -> VoiceQualityModel:
    return VoiceQualityModel.load()


def test_shipped_model_loads_and_samples_deterministically(model):
    anger = EmotionTarget.from_category("anger", 1.0)
    a, b = model.sample([anger], seed=3), model.sample([anger], seed=3)
    c = model.sample([anger], seed=4)
    assert a.shape == (1, delta_size()) and a.dtype == np.float32 and np.isfinite(a).all()
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 1e-3
    assert np.all(model.sample([EmotionTarget.neutral()], seed=3) == 0)
    half = model.sample([EmotionTarget.from_category("anger", 0.5)], seed=3)
    np.testing.assert_allclose(half, 0.5 * a, rtol=1e-4, atol=1e-4)
    assert np.all(model.sample([anger], seed=3, guidance=0.0) == 0)


def test_learned_directions_are_emodbs(model):
    """Mean over seeds: anger and happiness brighten the vowels, sadness darkens the middle
    of the spectrum and makes the voice more aperiodic, as EmoDB's actors did."""
    centres = band_centres()
    low, high = centres < 500, (centres > 1500) & (centres < 5000)

    def mean(category):
        target = EmotionTarget.from_category(category, 1.0)
        d = np.mean([model.sample([target], seed=s)[0] for s in range(8)], axis=0)
        cep, ap = split_delta(d)
        return from_cepstrum(cep[PHONE_CLASSES.index("vowel")]), ap[0]

    for category in ("anger", "happiness"):
        bands, _ = mean(category)
        assert bands[high].mean() - bands[low].mean() > 6.0, category
    sad_bands, sad_ap = mean("sadness")
    assert sad_bands[high].mean() - sad_bands[low].mean() < 0.0
    assert sad_ap.mean() > 1.0  # dB more aperiodic (breathier)
    _, anger_ap = mean("anger")
    assert sad_ap.mean() > anger_ap.mean() + 1.0


def test_one_delta_per_emotion_stretch(model):
    anger = EmotionTarget.from_category("anger", 1.0)
    sad = EmotionTarget.from_category("sadness", 1.0)
    shape = model.predict([anger] * 3 + [sad] * 4, seed=1)
    assert isinstance(shape, VoiceShape) and shape.deltas.shape == (7, delta_size())
    assert np.all(shape.deltas[:3] == shape.deltas[0])
    assert np.all(shape.deltas[3:] == shape.deltas[3])
    assert np.abs(shape.deltas[0] - shape.deltas[3]).max() > 1.0
    # the critic's guidance knob scales the voice change linearly; 0 is the neutral voice
    stronger = model.predict([anger] * 3 + [sad] * 4, seed=1, guidance=1.5)
    np.testing.assert_allclose(stronger.deltas, 1.5 * shape.deltas, rtol=1e-5, atol=1e-5)
    assert not model.predict([anger] * 3, seed=1, guidance=0.0).deltas.any()


# -- applied to a real take ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def tts():
    from synth.tts import EmotionalTTS

    return EmotionalTTS.load("diffusion")


def test_tts_loads_the_voice_model_with_the_diffusion_prosody(tts):
    from synth.tts import EmotionalTTS

    assert isinstance(tts.voice_quality, VoiceQualityModel)
    assert EmotionalTTS.load("rules", voice=tts.voice).voice_quality is None


def _speak(tts, category: str, voice_quality: bool, seed: int = 2):
    tts.render_config.voice_quality = voice_quality
    try:
        target = EmotionTarget.from_category(category, 1.0 if category != "neutral" else 0.0)
        return tts.speak(target, seed=seed, text=TEXT)
    finally:
        tts.render_config.voice_quality = True


def test_voice_model_moves_the_rendered_voice_the_learned_way(tts):
    """Same text, seeds and prosody; only the voice model on or off, measured on the audio and
    averaged over two seeds (each seed samples another voice)."""
    seeds = (2, 5)
    takes = {(c, on, seed): _speak(tts, c, on, seed) for c in ("fear", "sadness")
             for on in (True, False) for seed in seeds}
    rate = takes[("fear", True, 2)].sample_rate

    def change(measure, category):
        return np.mean([measure(takes[(category, True, s)].audio, rate)
                        - measure(takes[(category, False, s)].audio, rate) for s in seeds])

    def brightness(audio, sample_rate):  # 1-4 kHz against the 80-300 Hz band (F0, H1, H2)
        return band_db(audio, sample_rate, 1000, 4000) - band_db(audio, sample_rate, 80, 300)

    # fear: brighter above 1.5 kHz, in consonants too (anger and happiness mostly lose the bands
    # under 500 Hz, which the low-harmonic floor holds: their brightness is the prosody's tilt)
    assert change(alpha_ratio, "fear") > 2.0
    assert change(lambda a, r: band_db(a, r, 1500, 4000) - band_db(a, r, 300, 1000), "fear") > 3.0
    # sadness: darker (EmoDB: -4..-7 dB from 500 Hz to 4 kHz)
    assert change(alpha_ratio, "sadness") < -2.0
    assert change(brightness, "sadness") < -2.0
    # same length; the limiter still holds after resynthesis
    for speech in takes.values():
        assert np.abs(speech.audio).max() <= 10 ** (-1.0 / 20) + 1e-6
    for seed in seeds:
        assert len(takes[("fear", True, seed)].audio) == len(takes[("fear", False, seed)].audio)


def test_neutral_reading_is_untouched(tts):
    on, off = _speak(tts, "neutral", True), _speak(tts, "neutral", False)
    np.testing.assert_array_equal(on.audio, off.audio)


def test_apply_keeps_frame_power_and_holds_above_8khz(tts, model):
    """On the WORLD analysis of a real take: each frame's power is kept, the gain above 8 kHz is
    the 8 kHz band's, pauses are untouched and aperiodicity stays in (0, 1]."""
    from synth.tts.acoustics import f0_contour
    from synth.tts.render import analyse_spectra

    speech = tts.neutral(TEXT, seed=0)
    rate, timeline = speech.sample_rate, speech.timeline
    f0 = f0_contour(speech.audio, rate, timeline.hop)
    envelope, aperiodicity = analyse_spectra(speech.audio, rate, f0, timeline.hop)
    target = EmotionTarget.from_category("anger", 1.0)
    shape = model.predict([target] * len(timeline.syllables), seed=0)
    env2, ap2 = shape.apply(envelope.copy(), aperiodicity.copy(), timeline, f0, rate)
    np.testing.assert_allclose(env2.sum(axis=1), envelope.sum(axis=1), rtol=1e-6)
    gain = 10 * np.log10(env2 / envelope)
    gain -= gain[:, :1]
    freqs = np.linspace(0, rate / 2, envelope.shape[1])
    above = freqs >= max(HIGH_HZ, band_centres()[-1])
    assert np.abs(gain[:, above] - gain[:, above][:, :1]).max() < 1e-6
    speaking = np.abs(gain).max(axis=1) > 1.0
    assert speaking.mean() > 0.3  # most frames of the line are speech and get a new shape
    first_phone = timeline.phonemes[0]
    if first_phone.symbol == "_" and first_phone.end > 0.05:  # a leading pause stays as it was
        assert np.abs(gain[: int(first_phone.end / timeline.hop) - 3]).max() < 1e-6
    assert (ap2 > 0).all() and (ap2 <= 1).all()


def test_bright_voice_keeps_its_pitch_for_an_outside_tracker(tts, monkeypatch):
    """The learned brightening cuts the bands under 500 Hz; without the low-harmonic floor the
    first harmonics of an angry take fell under the ones near 1 kHz and openSMILE's pitch tracker
    heard an octave or more above the rendered F0. With it, the tracker hears the rendered pitch."""
    opensmile = pytest.importorskip("opensmile")
    lld = opensmile.Smile(feature_set=opensmile.FeatureSet.eGeMAPSv02,
                          feature_level=opensmile.FeatureLevel.LowLevelDescriptors)

    def pitch_gap(floor_hz: float, seed: int) -> float:
        """openSMILE's median F0 minus the rendered median F0 of an angry take, semitones."""
        apply = VoiceShape.apply

        def with_floor(shape, *args):
            shape.floor_hz = floor_hz
            return apply(shape, *args)

        monkeypatch.setattr(VoiceShape, "apply", with_floor)
        try:
            speech = tts.speak(EmotionTarget.from_category("anger", 1.0), seed=seed, text=TEXT)
        finally:
            monkeypatch.setattr(VoiceShape, "apply", apply)
        heard = lld.process_signal(speech.audio, speech.sample_rate)
        heard = heard["F0semitoneFrom27.5Hz_sma3nz"].to_numpy()
        rendered = speech.timeline.f0[speech.timeline.f0 > 0]
        return float(np.median(heard[heard > 0]) - 12.0 * np.log2(np.median(rendered) / 27.5))

    assert VoiceShape(np.zeros((1, delta_size()))).floor_hz == 1000.0  # on by default
    for seed in (1, 3):
        assert abs(pitch_gap(1000.0, seed)) < 4.0
        assert pitch_gap(0.0, seed) > 8.0  # the old rendering: the measure can fail
