"""The "auto" emotion of a script line, inferred from its own words."""

from __future__ import annotations

import pytest

from controllers.auto import infer_emotion


@pytest.mark.parametrize("line,sign", [
    ("I love you so much, this is the best day of my life!", +1),
    ("What a wonderful surprise, thank you!", +1),
    ("He died last night and I can't stop crying.", -1),
    ("They killed the dog and burned the house.", -1),
])
def test_emotional_lines_get_the_valence_of_their_words(line, sign):
    target = infer_emotion(line)
    assert target.valence * sign > 0.15, (line, target)
    assert target.category != "neutral"


def test_lexicon_words_in_the_line_decide_the_category():
    assert infer_emotion("I am so angry with you right now.").category == "anger"
    assert infer_emotion("I'm terrified of what comes next.").category == "fear"
    assert infer_emotion("I am not happy about this at all.").category != "happiness"


def test_plain_lines_stay_near_neutral(eval_sentences):
    readings = [infer_emotion(s) for s in eval_sentences]
    neutral = sum(r.category == "neutral" or r.intensity < 0.3 for r in readings)
    assert neutral >= 0.8 * len(readings), [(s, r.category) for s, r in zip(eval_sentences, readings)]
    assert all(not r.attributes for r in readings)  # content words never set the voice
