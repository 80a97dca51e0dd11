"""Non-verbal behaviour: blinks at boundaries and with arousal, nods, gaze, brows, idle motion."""

from __future__ import annotations

import numpy as np
import pytest

from controllers.target import EmotionTarget
from synth.face import animate_face
from synth.face.nonverbal import accented_syllables, phrase_boundaries

TEXT = ("The train leaves at nine, so we should be at the station early. "
        "Bring a coat, because the platform is cold in the morning.")


@pytest.fixture(scope="module")
def speech():
    from synth.tts import Voice

    return Voice.load().synthesize(TEXT, seed=0)


def blink_onsets(face) -> np.ndarray:
    closed = face.curve("eyeBlinkLeft") > 0.8
    return np.flatnonzero(closed[1:] & ~closed[:-1]) / face.fps


def test_blink_rate_rises_with_arousal(speech):
    calm = EmotionTarget.from_vad(0.0, -0.8)
    excited = EmotionTarget.from_vad(0.0, 0.9)
    n_calm = sum(len(blink_onsets(animate_face(speech.timeline, calm, seed=s))) for s in range(8))
    n_excited = sum(len(blink_onsets(animate_face(speech.timeline, excited, seed=s)))
                    for s in range(8))
    assert n_excited > 1.2 * n_calm


def test_blinks_cluster_at_phrase_boundaries(speech):
    bounds = np.array(phrase_boundaries(speech.timeline))
    assert len(bounds) >= 2
    near = total = 0
    for seed in range(10):
        onsets = blink_onsets(animate_face(speech.timeline, None, seed=seed))
        total += len(onsets)
        near += sum(np.min(np.abs(bounds - t)) < 0.2 for t in onsets)
    # boundaries cover a small part of the take but hold a large share of the blinks
    share_of_time = min(1.0, len(bounds) * 0.4 / speech.duration)
    assert total > 0 and near / total > share_of_time + 0.2


def test_nods_follow_stressed_syllables_and_arousal(speech):
    low = EmotionTarget.from_vad(0.0, -0.7)
    high = EmotionTarget.from_vad(0.0, 0.9)

    def nod_energy(target):
        out = []
        for seed in range(4):
            pitch = animate_face(speech.timeline, target, seed=seed).head[:, 1]
            out.append(np.abs(np.diff(pitch)).sum())
        return np.mean(out)

    assert nod_energy(high) > 1.3 * nod_energy(low)


def test_gaze_moves_with_saccades_and_stays_plausible(speech):
    face = animate_face(speech.timeline, None, seed=0)
    yaw = face.eyes[:, 0, 0]
    assert np.ptp(yaw) > 2.0 and np.abs(face.eyes).max() < 20.0
    speed = np.abs(np.diff(yaw)) * face.fps  # degrees per second
    assert (speed > 60).sum() >= 2  # fast saccadic jumps exist
    look = face.curve("eyeLookOutLeft") + face.curve("eyeLookInLeft")
    assert look.max() > 0.05


def test_brows_rise_on_accents(speech):
    face = animate_face(speech.timeline, None, seed=0)
    accents = accented_syllables(speech.timeline)
    marked = [s.start for s in speech.timeline.syllables if s.accent]
    # the most prominent accents, not every word: at least a second apart
    assert 1 <= len(accents) < len(marked) and np.diff(accents).min(initial=9) >= 1.0
    brow = face.curve("browOuterUpLeft")
    at = np.mean([brow[int((t + 0.1) * face.fps)] for t in accents])
    assert at > 0.1 and at > 2 * np.median(brow)


def test_idle_motion_in_silence():
    from synth.contracts import Timeline

    silent = Timeline(duration=4.0)
    face = animate_face(silent, None, seed=0)
    assert np.ptp(face.head, axis=0).max() > 0.5  # the head keeps moving
    assert face.curve("eyeBlinkLeft").max() > 0.8  # and blinks
    assert face.curve("jawOpen").max() < 0.02
