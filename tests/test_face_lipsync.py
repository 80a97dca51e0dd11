"""Lip sync on the real voice: visemes, coarticulation, lip seals on /p b m/, jaw and loudness."""

from __future__ import annotations

import numpy as np
import pytest

from controllers.target import EmotionTarget
from synth.contracts import OCULUS_VISEMES, Phoneme, Timeline
from synth.face import animate_face
from synth.face.lipsync import lip_aperture
from synth.face.visemes import bilabial_intervals, phoneme_visemes, viseme_weights

TEXT = "Peter picked a bunch of five big maple oranges, and mother bought them by the pound."


@pytest.fixture(scope="module")
def speech():
    from synth.tts import Voice

    return Voice.load().synthesize(TEXT, seed=0)


@pytest.fixture(scope="module")
def neutral_face(speech):
    return animate_face(speech.timeline, EmotionTarget.neutral(), seed=0)


def test_voice_phonemes_map_to_visemes(speech):
    symbols = {p.symbol for p in speech.timeline.phonemes}
    unmapped = sorted(s for s in symbols if not phoneme_visemes(s))
    assert not unmapped, f"phonemes without a viseme: {unmapped}"
    assert phoneme_visemes("ˈaɪ") == ("aa", "ih")
    assert phoneme_visemes("tʃ") == ("CH",)
    assert phoneme_visemes("m") == ("PP",) and phoneme_visemes("v") == ("FF",)


def test_lips_seal_on_every_bilabial(speech, neutral_face):
    ap = lip_aperture(neutral_face.weights)
    fps = neutral_face.fps
    intervals = bilabial_intervals(speech.timeline)
    assert len(intervals) >= 8
    for start, end in intervals:
        window = ap[int(np.floor(start * fps)):int(np.ceil(end * fps)) + 1]
        assert window.min() < 0.02, f"lips open during bilabial at {start:.2f}s"


def test_smile_and_closed_m_coexist(speech):
    face = animate_face(speech.timeline, EmotionTarget.from_category("happiness"), seed=0)
    ap = lip_aperture(face.weights)
    smile = face.curve("mouthSmileLeft")
    for start, end in bilabial_intervals(speech.timeline):
        i = int(round((start + 0.4 * (end - start)) * face.fps))
        assert ap[i] < 0.05 and smile[i] > 0.3


def test_bilabials_dominate_their_neighbours(speech):
    vis = viseme_weights(speech.timeline, 60.0)
    pp = OCULUS_VISEMES.index("PP")
    for start, end in bilabial_intervals(speech.timeline):
        i = int(round(0.5 * (start + end) * 60))
        assert vis[i].argmax() == pp


def test_jaw_follows_loudness(speech, neutral_face):
    tl = speech.timeline
    times = np.arange(neutral_face.frames) / neutral_face.fps
    energy = np.interp(times, np.arange(tl.energy.size) * tl.hop, tl.energy)
    r = np.corrcoef(neutral_face.curve("jawOpen"), np.clip(energy, -60, None))[0, 1]
    assert r > 0.5, f"jawOpen vs energy r={r:.2f}"
    # same phonemes, 12 dB quieter in the middle third: the jaw opens less there
    quiet = Timeline.from_dict(tl.to_dict())
    n = quiet.energy.size
    quiet.energy[n // 3: 2 * n // 3] -= 12.0
    q = animate_face(quiet, None, seed=0).curve("jawOpen")
    mid = slice(neutral_face.frames // 3 + 5, 2 * neutral_face.frames // 3 - 5)
    assert q[mid].mean() < 0.8 * neutral_face.curve("jawOpen")[mid].mean()


def test_silence_is_a_closed_relaxed_mouth(speech):
    # the take followed by 0.8 s of silence
    tl = Timeline.from_dict(speech.timeline.to_dict())
    pad = int(0.8 / tl.hop)
    tl.duration += 0.8
    tl.energy = np.concatenate([tl.energy, np.full(pad, -100.0, np.float32)])
    tl.f0 = np.concatenate([tl.f0, np.zeros(pad, np.float32)])
    neutral_face = animate_face(tl, None, seed=0)
    fps = neutral_face.fps
    pauses = [p for p in speech.timeline.phonemes if p.symbol == "_" and p.end - p.start > 0.15]
    assert pauses, "the comma should give a pause"
    # the middle of each pause (its edges anticipate or release the neighbouring sounds)
    parts = [slice(int(0.5 * (p.start + p.end) * fps) - 2, int(0.5 * (p.start + p.end) * fps) + 3)
             for p in pauses]
    parts.append(slice(int((tl.words[-1].end + 0.2) * fps), None))
    cols = [neutral_face.names.index(n) for n in ("mouthPressLeft", "mouthFunnel", "mouthPucker")]
    for part in parts:
        w = neutral_face.weights[part]
        assert len(w)
        assert lip_aperture(w).max() < 0.05
        assert w[:, cols].max() < 0.05


def test_curves_are_smooth(neutral_face):
    # no popping: a mouth shape moves at most ~0.25 of its range between 60 fps frames
    step = np.abs(np.diff(neutral_face.weights, axis=0))
    mouth = [i for i, n in enumerate(neutral_face.names) if n.startswith(("jaw", "mouth"))]
    assert step[:, mouth].max() < 0.25
    assert np.abs(np.diff(neutral_face.head, axis=0)).max() < 1.0  # degrees per frame


def test_animation_shapes_and_ranges(speech, neutral_face):
    f = neutral_face
    assert f.weights.shape == (f.frames, 52) and f.weights.dtype == np.float32
    assert f.head.shape == (f.frames, 3) and f.eyes.shape == (f.frames, 2, 2)
    assert f.visemes.shape == (f.frames, 15)
    assert 0.0 <= f.weights.min() and f.weights.max() <= 1.0
    assert abs(f.duration - speech.duration) < 2.0 / f.fps
    np.testing.assert_allclose(f.visemes.sum(axis=1), 1.0, atol=1e-4)


def test_unknown_symbols_do_not_break(speech):
    tl = Timeline.from_dict(speech.timeline.to_dict())
    tl.phonemes.insert(3, Phoneme("ˈ", tl.phonemes[2].end, tl.phonemes[2].end))
    tl.phonemes.append(Phoneme("☃", tl.duration - 0.01, tl.duration))
    assert animate_face(tl, None).frames == animate_face(speech.timeline, None).frames


def test_audio_without_phonemes_moves_the_jaw_with_its_energy(speech):
    # what the audio-only path gives when nothing is recognised: energy, no phonemes
    tl = Timeline(duration=speech.timeline.duration, hop=speech.timeline.hop,
                  energy=speech.timeline.energy.copy())
    face = animate_face(tl, None)
    times = np.arange(face.frames) / face.fps
    energy = np.interp(times, np.arange(tl.energy.size) * tl.hop, tl.energy)
    assert np.corrcoef(face.curve("jawOpen"), np.clip(energy, -60, None))[0, 1] > 0.6
    silent = Timeline(duration=2.0, energy=np.full(401, -100.0, np.float32))
    assert animate_face(silent, None).curve("jawOpen").max() == 0.0
