"""The emotion model contract: categories in VAD space, intensity, mixing, plans."""

from __future__ import annotations

import math

import pytest

from controllers.errors import InputError
from controllers.target import (CATEGORIES, CATEGORY_VAD, EmotionPlan, EmotionSegment,
                                EmotionTarget, interpolate, mix, nearest_category)


def test_categories_sit_where_the_literature_puts_them():
    assert CATEGORIES[0] == "neutral" and CATEGORY_VAD["neutral"] == (0.0, 0.0, 0.0)
    v, a, _ = CATEGORY_VAD["anger"]
    assert v < 0 < a  # unpleasant, aroused
    assert CATEGORY_VAD["sadness"][1] < 0 < CATEGORY_VAD["happiness"][0]
    assert CATEGORY_VAD["fear"][2] < 0 < CATEGORY_VAD["anger"][2]  # fear submissive, anger dominant


@pytest.mark.parametrize("category", [c for c in CATEGORIES if c != "neutral"])
def test_intensity_scales_the_distance_from_neutral(category):
    full, half = EmotionTarget.from_category(category, 1.0), EmotionTarget.from_category(category, 0.5)
    assert half.vad == pytest.approx(tuple(0.5 * x for x in full.vad))
    assert nearest_category(*full.vad) == (category, pytest.approx(1.0))
    assert nearest_category(*half.vad) == (category, pytest.approx(0.5))
    assert full.with_intensity(0.5).vad == pytest.approx(half.vad)


def test_points_near_the_origin_are_neutral():
    assert nearest_category(0.05, -0.05, 0.0) == ("neutral", 0.0)
    assert EmotionTarget.from_vad(0.0, 0.0).category == "neutral"


def test_mix_and_interpolate():
    happy, sad = EmotionTarget.from_category("happiness"), EmotionTarget.from_category("sadness")
    mid = interpolate(happy, sad, 0.5)
    assert mid.vad == pytest.approx(tuple((h + s) / 2 for h, s in zip(happy.vad, sad.vad)))
    assert interpolate(happy, sad, 0.0) is happy and interpolate(happy, sad, 1.0) is sad
    weighted = mix([happy, sad], [3, 1])
    assert weighted.category == "happiness" and weighted.valence > mid.valence
    loud = EmotionTarget.from_category("anger", attributes={"loudness": "loud"})
    assert mix([happy, loud]).attributes == {"loudness": "loud"}
    with pytest.raises(InputError):
        mix([])


@pytest.mark.parametrize("kwargs,word", [({"valence": 1.5}, "valence"), ({"intensity": -0.1}, "intensity"),
                                         ({"category": "joy"}, "category"),
                                         ({"attributes": {"loudness": "deafening"}}, "loudness"),
                                         ({"attributes": {"timbre": "warm"}}, "attribute")])
def test_bad_targets_are_input_errors(kwargs, word):
    with pytest.raises(InputError, match=word):
        EmotionTarget(**kwargs)


def test_dict_round_trip_fills_all_attributes():
    target = EmotionTarget.from_category("fear", 0.6, {"voice_quality": "whisper"})
    d = target.to_dict()
    assert set(d["attributes"]) == {"pitch_level", "pitch_variation", "loudness", "rate", "voice_quality"}
    assert EmotionTarget.from_dict(d) == target


def test_plan_segments_by_character_offset():
    calm, angry = EmotionTarget.from_category("calm"), EmotionTarget.from_category("anger")
    text = "We start slowly. Then it goes wrong."
    plan = EmotionPlan(text, (EmotionSegment(0, text[:17], calm), EmotionSegment(17, text[17:], angry)))
    assert plan.target_at(0) is calm and plan.target_at(16) is calm and plan.target_at(17) is angry
    assert plan.main_target is angry  # the longer stretch
    assert EmotionPlan.from_dict(plan.to_dict()) == plan
    with pytest.raises(InputError):
        EmotionPlan(text, ())
    assert math.isclose(EmotionPlan.constant(text, calm).target_at(30).valence, calm.valence)
