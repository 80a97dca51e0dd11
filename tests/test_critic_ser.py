"""Speech emotion recognition on real EmoDB clips: features, shipped model, metrics."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from controllers.assets import asset_path
from controllers.errors import InputError
from studio.critic.emodb import EMODB_CLASSES, load_corpus
from studio.critic.features import FEATURE_NAMES, extract_features
from studio.critic.ser import SpeechEmotionRecognizer
from studio.critic.train_ser import (expected_calibration_error, fit_temperature,
                                     unweighted_average_recall)




def _clip(emodb, name):
    audio, sr = sf.read(emodb / "wav" / f"{name}.wav", dtype="float32")
    return audio, sr


def _f(name_vec, key):
    return name_vec[FEATURE_NAMES.index(key)]


def test_features_follow_the_acoustics(emodb):
    # Speaker 03, sentence a01: anger (W) vs neutral (N) vs sadness (T)... what exists.
    angry = extract_features(*_clip(emodb, "03a01Wa"))
    neutral = extract_features(*_clip(emodb, "03a01Nc"))
    assert angry.shape == (len(FEATURE_NAMES),) and np.all(np.isfinite(angry))
    # Anger: higher pitch, flatter spectrum (lower alpha ratio / Hammarberg index).
    assert _f(angry, "f0_mean") > _f(neutral, "f0_mean") + 3  # semitones
    assert _f(angry, "alpha_ratio_v") > _f(neutral, "alpha_ratio_v")
    assert _f(angry, "hammarberg_v") < _f(neutral, "hammarberg_v")
    # Level does not matter (clips are peak-normalised): scaling the audio changes nothing.
    audio, sr = _clip(emodb, "03a01Wa")
    np.testing.assert_allclose(extract_features(0.3 * audio, sr), angry, rtol=1e-6, atol=1e-6)


def test_features_refuse_silence():
    with pytest.raises(ValueError):
        extract_features(np.zeros(22050, np.float32), 22050)


def test_shipped_model_reports_its_loso_figures():
    data = json.loads(asset_path("critic", "ser.json").read_text())
    loso = data["info"]["loso"]
    assert loso["speaker"]["uar"] >= 0.70          # issue target, 8 speakers
    assert loso["single"]["uar"] >= 0.60           # unseen speakers, single files
    assert all(loso[m]["ece"] < 0.12 for m in loso)
    assert np.asarray(loso["single"]["confusion"]).sum() == 419


def test_relative_mode_reads_arousal(emodb):
    ser = SpeechEmotionRecognizer.load()
    chosen = {(9, "a05"), (9, "b03"), (16, "a02")}  # each has N, W, T and L takes
    corpus = [u for u in load_corpus(emodb) if (u.speaker, u.sentence) in chosen]
    neutral = {(u.speaker, u.sentence): _clip(emodb, u.path.stem) for u in corpus
               if u.emotion == "neutral"}
    arousal = {}
    for u in corpus:
        if u.emotion in ("anger", "sadness", "boredom"):
            est = ser.estimate(*_clip(emodb, u.path.stem), neutral=neutral[(u.speaker, u.sentence)])
            assert abs(sum(est.probabilities.values()) - 1) < 1e-6
            assert est.extra["mode"] == "relative"
            arousal.setdefault(u.emotion, []).append(est.arousal)
    assert np.mean(arousal["anger"]) > np.mean(arousal["sadness"]) + 0.3
    assert np.mean(arousal["anger"]) > np.mean(arousal["boredom"]) + 0.3


def test_estimate_rejects_unusable_audio():
    with pytest.raises(InputError):
        SpeechEmotionRecognizer.load().estimate(np.zeros(100, np.float32), 22050)


def test_metrics_on_known_cases():
    y = np.array([0, 0, 1, 1, 2, 2])
    assert unweighted_average_recall(y, np.array([0, 0, 1, 0, 2, 0]), 3) == pytest.approx(
        (1 + 0.5 + 0.5) / 3)
    # Perfectly calibrated: confidence 0.5, half right.
    p = np.array([[0.5, 0.5], [0.5, 0.5]])
    assert expected_calibration_error(p, np.array([0, 1])) == pytest.approx(0.0)
    # Overconfident logits: the fitted temperature softens them (T > 1).
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 400)
    logits = rng.normal(size=(400, 3)) * 4
    logits[np.arange(400), y] += 2.0
    assert fit_temperature(logits, y) > 1.2
    assert len(EMODB_CLASSES) == 7


def test_the_studio_voice_is_read_against_its_reference(emodb):
    from controllers.target import EmotionTarget
    from studio.critic.ser import estimate_from_classes
    from studio.critic.voice_reference import VoiceReference
    from synth.tts import EmotionalTTS

    reference = VoiceReference.load()
    assert reference is not None, "assets/critic/voice.json is missing"
    tts = EmotionalTTS.load(prosody="diffusion")  # the prosody the reference was measured with
    text = "The lamp on the desk has a green shade."
    # the studio's neutral reading, normalised by the reference, lies near its centre
    neutral = tts.neutral(text, seed=0)
    own = reference.normalise(extract_features(neutral.audio, neutral.sample_rate))
    assert own.shape == (1, len(FEATURE_NAMES)) and np.median(np.abs(own)) < 1.0
    ser = SpeechEmotionRecognizer.load()
    arousal = {}
    for name in ("anger", "sadness"):
        take = tts.speak(EmotionTarget.from_category(name, 1.0), seed=0, text=text)
        p = ser.predict_proba(extract_features(take.audio, take.sample_rate), "voice",
                              reference=reference)[0]
        assert abs(p.sum() - 1) < 1e-6
        arousal[name] = estimate_from_classes(p, "voice").arousal
    assert arousal["anger"] > arousal["sadness"] + 0.3
    with pytest.raises(InputError):
        ser.predict_proba(np.zeros(len(FEATURE_NAMES)), "voice")
