"""The natural-language controller, feature by feature, on real descriptions."""

from __future__ import annotations

import pytest

from controllers.errors import InputError
from controllers.parse import parse_description
from controllers.target import ATTRIBUTE_VALUES, CATEGORY_VAD


def read(text: str):
    return parse_description(text).target


# -- emotion words, intensity ------------------------------------------------------------------
@pytest.mark.parametrize("text,category", [
    ("Read it like you're absolutely livid.", "anger"),
    ("in a cheerful, sunny mood", "happiness"),
    ("heartbroken", "sadness"),
    ("sounding anxious and jittery", "fear"),
    ("utterly revolted", "disgust"),
    ("stunned, in disbelief", "surprise"),
    ("serene", "calm"),
    ("neutral, matter-of-fact", "neutral"),
])
def test_emotion_words_set_the_category_and_its_side_of_vad(text, category):
    target = read(text)
    assert target.category == category
    proto = CATEGORY_VAD[category]
    for value, ref in zip(target.vad, proto[:2]):  # valence and arousal on the prototype's side
        if abs(ref) > 0.3:
            assert value * ref > 0, (text, target)


def test_intensifiers_and_diminishers_order_intensity():
    readings = [read(t) for t in ("a tiny bit sad", "slightly sad", "somewhat sad", "sad",
                                  "very sad", "extremely sad")]
    intensities = [r.intensity for r in readings]
    assert intensities == sorted(intensities) and len(set(intensities)) == 6
    assert intensities[1] <= 0.5 <= 0.7 <= intensities[4]
    valences = [r.valence for r in readings]
    assert valences == sorted(valences, reverse=True)  # sadder is more unpleasant


def test_even_a_little_emotion_is_on_the_right_side():
    little = read("a little sad")
    assert little.intensity <= 0.5 and little.valence < -0.15 and little.arousal < -0.15


# -- negation, mixtures, masks -------------------------------------------------------------------
def test_negation_removes_the_emotion_and_leans_away():
    target = read("not angry at all")
    assert target.category != "anger"
    assert target.valence > 0 and target.arousal < 0
    unhappy = read("not happy")
    assert unhappy.category != "happiness" and unhappy.valence < 0


def test_negation_stops_at_the_clause_boundary():
    target = read("not angry, just a bit tired")
    assert target.category != "anger" and target.arousal < -0.15


def test_mixture_blends_both_emotions():
    happy, exhausted, mixed = read("happy"), read("exhausted"), read("happy but exhausted")
    assert exhausted.arousal < mixed.arousal < happy.arousal
    assert mixed.valence > 0.15  # still pleasant
    assert mixed.category == "happiness"


def test_masked_emotion_weighs_less_than_the_felt_one():
    target = read("a bit nervous but trying to sound confident")
    assert target.valence <= 0.15 and target.category == "fear"


# -- sequences ------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,sequence", [
    ("joyful at first, then sad", ["happiness", "sadness"]),
    ("starts calm and ends furious", ["calm", "anger"]),
    ("angry, then calm, and finally happy", ["anger", "calm", "happiness"]),
    ("going from terrified to relieved and calm", ["fear", "calm"]),
])
def test_sequences_become_segments_in_order(text, sequence):
    result = parse_description(text)
    assert [s.category for s in result.targets] == sequence
    plan = result.plan("We painted the fence on Sunday and the paint dried by the evening.")
    assert [s.target.category for s in plan.segments] == sequence
    assert plan.segments[0].start == 0
    assert "".join(s.text for s in plan.segments) == plan.text
    starts = [s.start for s in plan.segments]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)


def test_no_change_gives_one_segment():
    assert len(parse_description("very happy and excited").segments) == 1


# -- paralinguistic words and captions ------------------------------------------------------------
@pytest.mark.parametrize("text,attributes", [
    ("whispering", {"voice_quality": "whisper", "loudness": "quiet"}),
    ("shouting", {"loudness": "loud"}),
    ("breathy", {"voice_quality": "breathy"}),
    ("tense, strained", {"voice_quality": "tense"}),
    ("creaky", {"voice_quality": "creaky"}),
    ("monotone", {"pitch_variation": "low"}),
    ("fast", {"rate": "fast"}), ("slowly", {"rate": "slow"}),
    ("a deep voice", {"pitch_level": "low"}), ("high-pitched", {"pitch_level": "high"}),
    ("softly", {"loudness": "quiet"}), ("loud", {"loudness": "loud"}),
])
def test_paralinguistic_words_set_attributes(text, attributes):
    target = read(text)
    for key, value in attributes.items():
        assert target.attribute(key) == value, (text, target.attributes)


def test_voice_words_alone_nudge_arousal_but_name_no_emotion():
    shout, whisper = read("shouting, fast"), read("whisper it softly")
    assert shout.category == whisper.category == "neutral"
    assert shout.arousal > 0.15 > -0.15 > whisper.arousal


def test_research_caption_style():
    target = read("speaker has a high pitch and has a normal pitch variation and is loud and has a "
                  "high equivalent sound level and has a low jitter and has a low shimmer and "
                  "emotion is angry")
    assert target.category == "anger"
    assert target.attributes == {"pitch_level": "high", "loudness": "loud"}
    assert read("speaker has a low pitch and is almost silent and emotion is sad").attribute(
        "loudness") == "quiet"
    assert read("loudness is just about right and emotion is happy").attribute("loudness") == "normal"
    assert read("has a high jitter and has a high shimmer").attribute("voice_quality") == "creaky"


# -- numbers ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,vad", [
    ("valence 0.8, arousal -0.3", (0.8, -0.3, 0.0)),
    ("V=0.2, A=-0.2", (0.2, -0.2, 0.0)),
    ("arousal 0.9 valence -0.9", (-0.9, 0.9, 0.0)),
    ("valence: 0.1, arousal: 0.2, dominance: -0.6", (0.1, 0.2, -0.6)),
    ("D=0.5 v=-.4", (-0.4, 0.0, 0.5)),
    ("high arousal, negative valence", (-0.6, 0.6, 0.0)),
])
def test_explicit_numbers_are_taken_exactly(text, vad):
    target = read(text)
    assert target.vad == pytest.approx(vad)
    assert target.category in CATEGORY_VAD


def test_numbers_override_words_on_their_dimension_only():
    target = read("happy, arousal -0.5")
    assert target.category == "happiness" and target.arousal == -0.5 and target.valence > 0.3


def test_explicit_intensity_scales_the_category():
    weak, strong = read("anger at intensity 0.3"), read("anger, intensity 90%")
    assert weak.intensity == pytest.approx(0.3) and strong.intensity == pytest.approx(0.9)
    assert abs(weak.valence) < abs(strong.valence)
    named = read("sadness: 30%")
    assert (named.category, named.intensity) == ("sadness", pytest.approx(0.3))
    assert read("speak at 1.5x speed").intensity == 0.0  # not a number for the emotion


@pytest.mark.parametrize("text,word", [("valence 1.7", "valence"), ("arousal -3", "arousal"),
                                       ("V=2", "valence"), ("intensity 1.5", "intensity")])
def test_out_of_range_numbers_are_refused_with_the_range(text, word):
    with pytest.raises(InputError, match=rf"{word}.*accepted range \["):
        parse_description(text)


# -- directions, emoji, no cue, errors ---------------------------------------------------------------
@pytest.mark.parametrize("text,category", [
    ("read this as if you just lost a friend", "sadness"),
    ("like you won the lottery", "happiness"),
    ("as if comforting a child", "calm"),
    ("as if you just saw a ghost", "fear"),
    ("like you just smelled something rotten", "disgust"),
    ("like a news anchor", "neutral"),
])
def test_directions_read_as_emotions(text, category):
    assert read(text).category == category


def test_unknown_words_fall_back_to_the_text_model():
    result = parse_description("murderous")  # not in the lexicon
    assert result.recognized and result.target.valence < -0.15
    assert "text model" in result.explanation[0].effect


@pytest.mark.parametrize("text", ["asdf qwerty", "the quarterly report is on the table",
                                  "zxcv blorp fnord", "lorem ipsum dolor sit amet"])
def test_no_cue_is_neutral_and_unrecognized(text):
    result = parse_description(text)
    assert not result.recognized
    assert result.target.category == "neutral" and result.target.vad == (0.0, 0.0, 0.0)


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_description_is_an_input_error(text):
    with pytest.raises(InputError, match="empty"):
        parse_description(text)


def test_explanation_names_the_words_and_their_effect():
    result = parse_description("extremely angry, whispering")
    pairs = {e.words: e.effect for e in result.explanation}
    assert "anger" in pairs["extremely angry"]
    assert "whisper" in pairs["whispering"]


def test_json_object_follows_the_cli_contract():
    out = parse_description("joyful at first, then sad").to_dict()
    assert set(out) >= {"valence", "arousal", "dominance", "category", "intensity", "attributes",
                        "recognized", "explanation", "segments"}
    assert set(out["attributes"]) == set(ATTRIBUTE_VALUES)
    assert [s["category"] for s in out["segments"]] == ["happiness", "sadness"]
    for seg in out["segments"]:
        assert -1 <= seg["valence"] <= 1 and 0 <= seg["intensity"] <= 1
        assert set(seg["attributes"]) == set(ATTRIBUTE_VALUES)
