"""Gesture planning on real speech: phrases, accents, focus words, lexicon, style, unit timing."""

from __future__ import annotations

import numpy as np
import pytest

from controllers.target import EmotionPlan, EmotionSegment, EmotionTarget
from synth.gesture.lexicon import gesture_kind
from synth.gesture.phrases import split_phrases, syllable_vowel_onsets
from synth.gesture.planner import plan_gestures
from synth.gesture.style import style_for

TEXT = "I never said that! Is it really that big? We walked to the station and waited for the bus."


@pytest.fixture(scope="module")
def speech(voice):
    return voice.synthesize(TEXT, seed=0)


def _words(timeline, phrase):
    return [timeline.words[w].text.lower() for w in phrase.words]


def test_phrases_split_at_punctuation_and_find_focus(speech):
    tl = speech.timeline
    phrases = split_phrases(tl, TEXT)
    assert len(phrases) == 3
    assert _words(tl, phrases[0]) == ["i", "never", "said", "that"]
    assert phrases[0].punctuation == "!" and phrases[1].is_question
    # The negation carries the first phrase's stroke, not the pronoun before it.
    assert tl.words[phrases[0].focus.word].text.lower() == "never"
    assert phrases[0].focus_kind == "negation"
    assert phrases[1].focus_kind == "big"
    # Accents sit on vowel onsets of stressed syllables, in time order, inside the phrase.
    onsets = syllable_vowel_onsets(tl)
    for phrase in phrases:
        times = [a.time for a in phrase.accents]
        assert times == sorted(times)
        for a in phrase.accents:
            assert a.time == pytest.approx(onsets[a.syllable])
            assert phrase.start - 1e-6 <= a.time <= phrase.end


def test_lexicon_kinds():
    assert gesture_kind("Me,") == "self" and gesture_kind("you") == "other"
    assert gesture_kind("doesn't") == "negation" and gesture_kind("Yes!") == "affirm"
    assert gesture_kind("everything") == "all" and gesture_kind("tiny") == "small"
    assert gesture_kind("second") == "enumerate" and gesture_kind("table") is None
    assert gesture_kind("there", "is") is None  # existential, points nowhere
    assert gesture_kind("there", "by") == "other"


def test_units_are_ordered_and_stroke_on_the_focus(speech):
    tl = speech.timeline
    plan = plan_gestures(tl, EmotionTarget.neutral(), seed=3, text=TEXT)
    assert len(plan.units) == 3
    kinds = [u.kind for u in plan.units]
    assert kinds[:2] == ["negation", "big"]
    assert plan.units[1].hands == "both"
    for unit, phrase in zip(plan.units, plan.phrases):
        assert 0 <= unit.prep_start <= unit.ready <= unit.stroke_start < unit.stroke_end
        assert unit.stroke_end < unit.hold_end <= unit.retract_end <= tl.duration + 1e-6
        assert unit.retract_end > unit.hold_end or unit.retract_to == "none"
        assert any(abs(unit.stroke_end - a.time) < 1e-6 for a in phrase.accents)
    for a, b in zip(plan.units, plan.units[1:]):
        assert a.retract_end <= b.prep_start + 1e-6
    assert plan.units[-1].retract_to == "rest"
    kinds = {m.kind for m in plan.head}
    assert {"shake", "tilt", "beat"} <= kinds  # negation shakes, the question tilts


def test_same_seed_same_plan_other_seed_varies(speech):
    a = plan_gestures(speech.timeline, None, seed=1, text=TEXT)
    b = plan_gestures(speech.timeline, None, seed=1, text=TEXT)
    assert [u.seed for u in a.units] == [u.seed for u in b.units]
    seeds = [tuple(u.seed for u in plan_gestures(speech.timeline, None, seed=s, text=TEXT).units)
             for s in range(4)]
    assert len(set(seeds)) == 4


def test_style_follows_the_emotion():
    low, high = style_for(EmotionTarget(arousal=-0.8)), style_for(EmotionTarget(arousal=0.8))
    assert high.amplitude > low.amplitude and high.speed > low.speed
    assert high.beat_rate > low.beat_rate
    pleasant, unpleasant = style_for(EmotionTarget(valence=0.8)), style_for(EmotionTarget(valence=-0.8))
    assert pleasant.openness > unpleasant.openness and pleasant.head_pitch < unpleasant.head_pitch
    dominant, submissive = style_for(EmotionTarget(dominance=0.8)), style_for(EmotionTarget(dominance=-0.8))
    assert dominant.expansiveness > submissive.expansiveness
    assert dominant.stillness > submissive.stillness
    fear, sad = style_for(EmotionTarget.from_category("fear")), style_for(EmotionTarget.from_category("sadness"))
    anger, happy = style_for(EmotionTarget.from_category("anger")), style_for(EmotionTarget.from_category("happiness"))
    neutral = style_for(None)
    assert fear.shoulder_raise > 5 and fear.arm_closeness > neutral.arm_closeness
    assert sad.head_pitch > 8 and sad.speed < neutral.speed
    assert anger.sharpness > neutral.sharpness and anger.lean > 3 and anger.palm_up < 0
    assert happy.bounce > 0 and happy.openness > neutral.openness


def test_emotion_plan_changes_style_per_phrase(speech):
    calm = EmotionTarget.from_category("calm", 0.9)
    angry = EmotionTarget.from_category("anger", 0.9)
    start = TEXT.index("We walked")
    plan = EmotionPlan(TEXT, (EmotionSegment(0, TEXT[:start], calm),
                              EmotionSegment(start, TEXT[start:], angry)))
    gp = plan_gestures(speech.timeline, plan, seed=0)
    assert gp.units[0].style == style_for(calm) and gp.units[-1].style == style_for(angry)
    assert len(gp.postures) == 2 and np.isclose(gp.postures[0][0], 0.0)
