"""The prosody interface and the rule baseline (Schröder's EmoSpeak mapping) on the real voice."""

from __future__ import annotations

import numpy as np
import pytest

from controllers.errors import InputError
from controllers.target import EmotionTarget
from synth.prosody import FEATURE_INDEX, PROSODY_FEATURES, ProsodyModel, load_prosody_model
from synth.prosody.features import CONTEXT_FEATURES, syllable_context

TEXT = "Please put the books back on the shelf, and then we can finally go home."


@pytest.fixture(scope="module")
def timeline():
    """The voice's neutral reading of TEXT."""
    from synth.tts import Voice

    return Voice.load().synthesize(TEXT, seed=0).timeline


@pytest.fixture(scope="module")
def rules():
    return load_prosody_model("rules")


def offsets(model, timeline, category, intensity=1.0, **attributes):
    target = EmotionTarget.from_category(category, intensity, attributes or None)
    return model.predict(timeline, [target] * len(timeline.syllables), seed=0)


def test_context_describes_every_syllable(timeline):
    ctx = syllable_context(timeline)
    assert ctx.shape == (len(timeline.syllables), len(CONTEXT_FEATURES))
    assert ctx.dtype == np.float32 and np.isfinite(ctx).all()
    col = CONTEXT_FEATURES.index
    assert ctx[-1, col("phrase_final")] == 1.0  # the line ends a phrase
    assert ctx[:, col("phrase_final")].sum() >= 2  # the comma's pause ends another
    assert np.all(np.diff(ctx[:, col("utterance_position")]) > 0)
    assert set(np.unique(ctx[:, col("stress")])) <= {0.0, 0.5, 1.0}


def test_rules_shape_and_neutral_is_zero(rules, timeline):
    assert isinstance(rules, ProsodyModel) and rules.name == "rules"
    out = offsets(rules, timeline, "neutral", 0.0)
    assert out.shape == (len(timeline.syllables), len(PROSODY_FEATURES))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, 0.0, atol=1e-6)


@pytest.mark.parametrize("category", ["anger", "happiness"])
def test_rules_high_activation_is_higher_wider_louder_faster(rules, timeline, category):
    mean = offsets(rules, timeline, category).mean(axis=0)
    f = FEATURE_INDEX
    assert mean[f["f0_level_st"]] > 1.0
    assert mean[f["f0_range_st"]] > 0.0
    assert mean[f["energy_db"]] > 1.0
    assert mean[f["tilt_db"]] > 1.0
    assert mean[f["log_duration_ratio"]] < 0.0


@pytest.mark.parametrize("category", ["sadness", "calm"])
def test_rules_low_activation_is_lower_narrower_softer_slower(rules, timeline, category):
    mean = offsets(rules, timeline, category).mean(axis=0)
    f = FEATURE_INDEX
    assert mean[f["f0_level_st"]] < -1.0
    assert mean[f["f0_range_st"]] < 0.0
    assert mean[f["energy_db"]] < -1.0
    assert mean[f["log_duration_ratio"]] > 0.0


def test_rules_scale_with_intensity(rules, timeline):
    weak = offsets(rules, timeline, "anger", 0.3).mean(axis=0)
    strong = offsets(rules, timeline, "anger", 1.0).mean(axis=0)
    level = FEATURE_INDEX["f0_level_st"]
    assert 0 < weak[level] < strong[level]


def test_attributes_add_their_offsets(rules, timeline):
    plain = offsets(rules, timeline, "happiness")
    slow_loud = offsets(rules, timeline, "happiness", rate="slow", loudness="loud")
    f = FEATURE_INDEX
    change = slow_loud - plain
    np.testing.assert_allclose(change[:, f["log_duration_ratio"]], np.log(1.25), atol=1e-5)
    np.testing.assert_allclose(change[:, f["energy_db"]], 6.0, atol=1e-4)


def test_bad_input_is_refused(rules, timeline):
    with pytest.raises(InputError, match="one emotion target per syllable"):
        rules.predict(timeline, [EmotionTarget.neutral()], seed=0)
    with pytest.raises(InputError, match="diffusion, rules"):
        load_prosody_model("opera")
