"""The emotion lexicon: size, coverage of each category, inflections, emoji, phrase matching."""

from __future__ import annotations

import pytest

from controllers.lexicon import (AttributeWord, EmotionWord, Lexicon, Modifier, lemma_candidates,
                                 load_lexicon, tokenize)
from controllers.target import CATEGORIES


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


def _emotion(lexicon: Lexicon, phrase: str) -> EmotionWord:
    matches = lexicon.match(tokenize(phrase))
    words = [e for m in matches for e in m.entries if isinstance(e, EmotionWord)]
    assert len(words) == 1, (phrase, matches)
    return words[0]


def test_lexicon_has_hundreds_of_emotion_phrases(lexicon):
    emotion_phrases = [k for k, es in lexicon.table.items() if any(isinstance(e, EmotionWord) for e in es)]
    assert len(emotion_phrases) >= 500
    for category in CATEGORIES:
        assert len(lexicon.words_of(category)) >= 15, category


@pytest.mark.parametrize("phrase,category", [
    ("angry", "anger"), ("angrily", "anger"), ("anger", "anger"), ("livid", "anger"),
    ("irritated", "anger"), ("annoyed", "anger"), ("cheerful", "happiness"), ("joyful", "happiness"),
    ("elated", "happiness"), ("heartbroken", "sadness"), ("gloomy", "sadness"), ("terrified", "fear"),
    ("anxious", "fear"), ("nervous", "fear"), ("worried", "fear"), ("disgusted", "disgust"),
    ("revolted", "disgust"), ("astonished", "surprise"), ("amazed", "surprise"), ("serene", "calm"),
    ("relaxed", "calm"), ("matter-of-fact", "neutral"), ("over the moon", "happiness"),
    ("down in the dumps", "sadness"), ("grossed out", "disgust"),
    ("😡", "anger"), ("😢", "sadness"), ("😂", "happiness"), ("😊", "happiness"), ("😱", "fear"),
    ("🤢", "disgust"), ("😮", "surprise"), ("😌", "calm"),
])
def test_words_phrases_and_emoji_name_their_category(lexicon, phrase, category):
    assert _emotion(lexicon, phrase).category == category


@pytest.mark.parametrize("phrase,dims", [
    ("proud", {"valence": 1, "dominance": 1}), ("confident", {"dominance": 1}),
    ("bored", {"valence": -1, "arousal": -1}), ("tired", {"arousal": -1}),
    ("exhausted", {"arousal": -1}), ("sarcastic", {"valence": -1}),
    ("submissive", {"dominance": -1}),
])
def test_dimensional_words_sit_where_they_should(lexicon, phrase, dims):
    word = _emotion(lexicon, phrase)
    assert word.category is None
    index = {"valence": 0, "arousal": 1, "dominance": 2}
    for dim, sign in dims.items():
        assert word.point[index[dim]] * sign > 0.3, (phrase, dim, word.point)


def test_intensity_grades_within_a_family(lexicon):
    assert (_emotion(lexicon, "annoyed").intensity < _emotion(lexicon, "angry").intensity
            < _emotion(lexicon, "furious").intensity)
    assert _emotion(lexicon, "uneasy").intensity < _emotion(lexicon, "terrified").intensity


@pytest.mark.parametrize("word,lemma", [("angrier", "angry"), ("happiest", "happy"),
                                        ("calmer", "calm"), ("sadder", "sad"), ("worries", "worry"),
                                        ("gloomily", "gloomy"), ("relaxes", "relax")])
def test_inflections_reach_the_table_through_the_lemmatiser(lexicon, word, lemma):
    assert lemma in lemma_candidates(word)
    (match,) = lexicon.match([word])
    assert any(isinstance(e, EmotionWord) for e in match.entries)


def test_longest_phrase_wins_and_words_can_mean_two_things(lexicon):
    kinds = [(m.text, type(m.entries[0]).__name__) for m in lexicon.match(tokenize("deeply pitched"))]
    assert kinds == [("deeply pitched", "AttributeWord")]
    (deeply, sad) = lexicon.match(tokenize("deeply sad"))
    assert isinstance(deeply.entries[0], Modifier) and isinstance(sad.entries[0], EmotionWord)
    (tense,) = lexicon.match(tokenize("tense"))  # an emotion and a voice quality at once
    assert {type(e) for e in tense.entries} == {EmotionWord, AttributeWord}


def test_modifiers_order_from_tiny_to_extreme(lexicon):
    def after(phrase: str) -> float:
        (mod,) = lexicon.match(tokenize(phrase))
        return mod.entries[0].apply(0.7)

    assert after("a tiny bit") < after("slightly") < after("somewhat") < 0.7
    assert 0.7 < after("quite") < after("very") < after("extremely") <= 1.0


def test_unknown_words_match_nothing(lexicon):
    assert lexicon.match(tokenize("the quarterly report asdf qwerty")) == []
