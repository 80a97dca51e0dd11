"""Live mode's building blocks without the voice: phrase splitting, plans per phrase, joins."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from studio.live.chunk import frames_before
from studio.live.joins import blend_in, blend_in_rotations
from studio.live.phrases import FIRST_MAX_WORDS, MAX_WORDS, phrase_plan, split_phrases
from studio.pipeline import Studio

LINES = [
    "I told you not to come back here. Now get out!",
    "Hello there, my friend.",
    "Well, I never said that, did I? No.",
    "I can't believe you came back after everything that happened here last night, you fool.",
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty twenty-one twenty-two twenty-three twenty-four.",
    "Hi.",
]


@pytest.mark.parametrize("text", LINES)
def test_phrases_cover_the_line_in_order(text):
    phrases = split_phrases(text)
    assert [text[p.start:p.end] for p in phrases] == [p.text for p in phrases]
    assert " ".join(p.text for p in phrases).split() == text.split()
    assert all(a.end <= b.start for a, b in zip(phrases, phrases[1:]))
    assert phrases[0].words <= FIRST_MAX_WORDS + 1
    assert all(p.words <= MAX_WORDS + 1 for p in phrases)
    assert phrases[-1].boundary == "end"


def test_sentences_and_clauses_end_phrases():
    phrases = split_phrases("Thanks for coming, my dear old friend. Now get out of my house!")
    assert [(p.text, p.boundary) for p in phrases] == [
        ("Thanks for coming,", "clause"), ("my dear old friend.", "sentence"),
        ("Now get out of my house!", "end")]


def test_a_long_first_clause_is_cut_short_and_read_as_continuing():
    first = split_phrases(LINES[3])[0]
    assert first.boundary == "word" and first.words <= FIRST_MAX_WORDS
    assert first.speak_text.endswith(",")  # read with a continuing intonation


def test_phrase_plans_carry_inline_emotion_changes():
    plan = Studio.plan("Thanks for coming, my dear [angry] friend who never calls. [sad] Bye.",
                       "cheerful")
    phrases = split_phrases(plan.text)
    plans = [phrase_plan(plan, p) for p in phrases]
    for p, sub in zip(phrases, plans):
        assert sub.text == p.speak_text and sub.segments[0].start == 0
        for seg in sub.segments:  # each character keeps the emotion the line gives it
            assert seg.target == plan.target_at(p.start + seg.start)
    cats = [[s.target.category for s in sub.segments] for sub in plans]
    assert cats[0] == ["happiness"]
    assert ["happiness", "anger"] in cats  # the tag inside a phrase splits its plan
    assert cats[-1] == ["sadness"]


def test_frames_before_counts_frames_strictly_before_the_time():
    assert frames_before(0, 22050, 60) == 0
    assert frames_before(22050, 22050, 60) == 60       # frames 0..59 are before 1 s
    assert frames_before(22051, 22050, 60) == 61
    assert frames_before(368, 22050, 60) == 2          # 16.7 ms: frames 0 and 1


def test_blend_in_starts_at_the_last_frame_sent_and_fades_to_the_new_run():
    fps = 60.0
    new = np.tile(np.linspace(0.2, 0.4, 30)[:, None], (1, 3)).astype(np.float32)
    previous = np.array([0.9, 0.1, 0.2], np.float32)
    out = blend_in(new, previous, reference=new[0] - 0.01, fps=fps, lo=0.0, hi=1.0)
    assert np.abs(out[0] - previous).max() < 0.02           # continuous with what was sent
    assert np.allclose(out[20:], new[20:])                  # the join is over after 0.25 s
    assert np.abs(np.diff(out, axis=0)).max() < 0.1         # no pop on the way


def test_blend_in_rotations_turns_smoothly_from_the_last_pose():
    fps = 30.0
    new = Rotation.from_euler("y", np.linspace(0, 10, 20)[:, None], degrees=True).as_quat()[:, None]
    previous = Rotation.from_euler("y", 40, degrees=True).as_quat()[None]
    out = blend_in_rotations(new.astype(np.float32), previous, new[0], fps)
    angles = Rotation.from_quat(out[:, 0]).as_euler("xyz", degrees=True)[:, 1]
    assert abs(angles[0] - 40) < 6
    assert np.allclose(angles[10:], np.linspace(0, 10, 20)[10:], atol=1e-3)
    assert np.all(np.abs(np.diff(angles)) < 8)
    assert np.allclose(np.linalg.norm(out, axis=-1), 1.0, atol=1e-5)
