"""The critic's head camera opened on another thread while a take's voice renders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from controllers.cast import load_character
from controllers.target import EmotionTarget
from studio.critic.judge import HeadCamera
from synth.face import animate_face
from synth.contracts import Phoneme, Syllable, Timeline, Word


@pytest.fixture(scope="module")
def smile():
    """A one-second face animation: a happy expression on the word "hello"."""
    timeline = Timeline(duration=1.0,
                        phonemes=[Phoneme("h", 0.1, 0.2, 0, 0, 0),
                                  Phoneme("ɛ", 0.2, 0.5, 0, 0, 0),
                                  Phoneme("l", 0.5, 0.6, 1, 0, 1),
                                  Phoneme("oʊ", 0.6, 0.9, 1, 0, 1)],
                        syllables=[Syllable(0.1, 0.5, 0, 0), Syllable(0.5, 0.9, 1, 0, True)],
                        words=[Word("hello", 0.1, 0.9, 0)], hop=0.01,
                        f0=np.full(100, 120.0, np.float32), energy=np.full(100, -20.0, np.float32))
    return animate_face(timeline, EmotionTarget.from_category("happiness", 1.0), seed=0)


def test_a_camera_opened_on_another_thread_renders_on_the_callers(smile):
    character = load_character("lena")
    HeadCamera._shared.pop(character.avatar, None)
    thread = HeadCamera.open_in_background(character)
    assert thread is not None
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert HeadCamera.open_in_background(character) is None  # open already: no second thread
    opened_elsewhere = HeadCamera.get(character).render(smile, fps=4.0)
    # a camera opened here, on the caller's thread, with its own GL context
    here = HeadCamera(character)
    frames = here.renderer.render_animation(face=smile, fps=4.0, camera="head", progress=False,
                                            head_from_face=False).frames
    assert opened_elsewhere.shape == frames.shape and opened_elsewhere.shape[0] >= 4
    assert opened_elsewhere.std() > 10  # a lit face, not a blank frame
    # the same picture (two software GL contexts may round a few edge pixels apart)
    difference = np.abs(opened_elsewhere.astype(int) - frames.astype(int))
    assert difference.max() <= 2 and (difference > 0).mean() < 1e-3
    np.testing.assert_allclose(HeadCamera.get(character).baseline, here.baseline, atol=1e-3)


def test_a_failure_on_the_other_thread_is_raised_on_the_callers(monkeypatch):
    character = load_character("walter")
    HeadCamera._shared.pop(character.avatar, None)

    def broken(self, character=None):
        raise RuntimeError("no GL context")

    monkeypatch.setattr(HeadCamera, "__init__", broken)
    thread = HeadCamera.open_in_background(character)
    thread.join(timeout=60)
    with pytest.raises(RuntimeError, match="no GL context"):
        HeadCamera.get(character)
    assert character.avatar not in HeadCamera._shared


def test_a_lone_render_imports_no_shared_package_while_the_camera_opens(tmp_path):
    """The render's own thread imports nothing from scipy or onnxruntime while the camera's
    thread is importing (two threads importing one package at once can see it half made)."""
    script = tmp_path / "imports.py"
    script.write_text(
        "import sys, threading, time\n"
        "import studio.pipeline\n"
        "log = []\n"
        "def hook(event, args):\n"
        "    if event == 'import' and args[0] not in sys.modules:\n"
        "        log.append((threading.current_thread().name, args[0], time.perf_counter()))\n"
        "sys.addaudithook(hook)\n"
        f"studio.pipeline.render('Hello there, how are you?', 'sad', out={str(tmp_path / 't')!r},"
        " preview='none')\n"
        "camera = [t for name, _, t in log if name == 'head-camera']\n"
        "print('CAMERA', len(camera))\n"
        "for name, module, t in log:\n"
        "    if name != 'head-camera' and camera and camera[0] <= t <= camera[-1]:\n"
        "        print('MAIN', module)\n")
    repo = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, str(script)], cwd=repo, capture_output=True, text=True,
                         timeout=300, env={**os.environ, "PYTHONPATH": str(repo)})
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.splitlines()
    assert int(next(x for x in lines if x.startswith("CAMERA")).split()[1]) > 100
    shared = [x.split()[1] for x in lines if x.startswith("MAIN ")
              and x.split()[1].split(".")[0] in ("scipy", "onnxruntime", "numpy")]
    assert not shared, f"imported beside the camera's thread: {shared[:10]}"


@pytest.fixture(scope="module")
def happy_take():
    """A real happy take (speech, face, body) of the default character, with its neutral
    reading, as the studio hands it to the critic."""
    from studio.critic import TakeResult
    from studio.pipeline import Studio

    studio = Studio()
    plan = studio.plan("What a lovely surprise to see you here.", "happy")
    take = studio.perform(plan, seed=2)
    neutral = studio.neutral_speech(plan.text, seed=2)
    return plan, TakeResult(speech=take.speech, face=take.face, body=take.body,
                            neutral_speech=neutral)


def noting_threads(function, names: list):
    """``function`` that also notes in ``names`` the thread each call runs on."""
    import threading

    def spy(*args, **kwargs):
        names.append(threading.current_thread().name)
        return function(*args, **kwargs)
    return spy


def test_the_critic_reads_the_face_on_its_own_thread_as_it_would_alone(happy_take, monkeypatch):
    """The face is rendered and read while the voice is analysed: the same readings as one
    after the other, and a failure there reaches the caller."""
    import threading

    from studio.critic import Critic

    plan, take = happy_take
    alone = Critic()
    face_alone = alone.face_estimate(take)
    speech_alone = alone.speech_estimate(take)
    read_on = []
    monkeypatch.setattr(Critic, "face_estimate", noting_threads(Critic.face_estimate, read_on))
    record = Critic().judge(plan.main_target, take, plan=plan)
    assert len(read_on) == 1 and read_on[0] != threading.current_thread().name
    assert record.estimates["face"].probabilities == face_alone.probabilities
    assert record.estimates["speech"].probabilities == speech_alone.probabilities

    def broken(self, take):
        raise RuntimeError("no GL context")

    monkeypatch.setattr(Critic, "face_estimate", broken)
    with pytest.raises(RuntimeError, match="no GL context"):
        Critic().judge(plan.main_target, take, plan=plan)


def test_the_critic_reads_a_voice_ahead_as_it_would_alone(happy_take, monkeypatch):
    """read_ahead starts the voice's reading on another thread; judging the take finishes it:
    the same features and readings as reading it in one go, the job used once, and an
    unreadable voice still refused with the critic's own error."""
    import threading

    from controllers.errors import InputError
    from studio.critic import Critic, TakeResult
    from studio.critic import features
    from studio.critic.features import extract_features, features_of

    plan, take = happy_take
    speech_alone = Critic().speech_estimate(take)
    read_on = []
    read_voice = features.read_voice
    monkeypatch.setattr(features, "read_voice", noting_threads(read_voice, read_on))
    critic = Critic()
    critic.read_ahead(take.speech)
    critic.read_ahead(take.speech)  # the same speech again: one job
    record = critic.judge(plan.main_target, take, plan=plan)
    assert len(read_on) == 1 and read_on[0] != threading.current_thread().name
    assert not critic._ahead  # used, not kept
    assert record.estimates["speech"].probabilities == speech_alone.probabilities
    frames, aperiodicity = read_voice(take.speech.audio, take.speech.sample_rate)
    np.testing.assert_array_equal(features_of(frames, aperiodicity),
                                  extract_features(take.speech.audio, take.speech.sample_rate))

    silent = TakeResult(speech=type(take.speech)(np.zeros(22050, np.float32), 22050,
                                                 take.speech.timeline))
    critic.read_ahead(silent.speech)
    with pytest.raises(InputError, match="cannot analyse the take's speech: recording is silent"):
        critic.speech_estimate(silent)
