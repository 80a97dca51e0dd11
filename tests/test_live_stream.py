"""Live mode's Python API with the real voice: interrupting a line, carrying the pose, seeds."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from studio.live import AvatarPose, LiveStudio

LONG = ("This is a rather long line, spoken slowly and with care, so that there is time to cut "
        "it off before it ends.")


@pytest.fixture(scope="module")
def live():
    with LiveStudio() as studio:
        yield studio


def test_a_line_that_interrupts_another_carries_on_from_where_it_stopped(live):
    pose = AvatarPose()
    line = live.line(LONG, "happy", seed=1, pose=pose)
    chunks = iter(line)
    first = next(chunks)
    line.cancel()
    assert list(chunks) == []                      # nothing more of the cut-off line
    assert not first.last and len(line.phrases) > 2

    new = list(live.stream("Wait! [scared] Someone is here.", seed=2, pose=pose))
    assert new[0].sample_start == 0 and new[0].face_start == 0   # a new line, a new clock
    assert new[-1].last
    # the face and body go on from the last frame of the interrupted line: no pop
    step = np.abs(np.diff(np.concatenate([c.face for c in new]), axis=0)).max()
    assert np.abs(new[0].face[0] - first.face[-1]).max() <= step
    turn = Rotation.from_quat(new[0].rotations[0]) * Rotation.from_quat(first.rotations[-1]).inv()
    assert np.degrees(turn.magnitude()).max() < 10.0
    # ... while a line on a fresh avatar starts from its own first frame
    fresh = next(iter(live.line("Wait! [scared] Someone is here.", seed=2, pose=AvatarPose())))
    assert np.abs(fresh.face[0] - first.face[-1]).max() > np.abs(
        new[0].face[0] - first.face[-1]).max()


def test_the_same_seed_streams_the_same_performance(live):
    takes = [list(live.stream("Hello there, my friend.", "sad", seed=5, pose=AvatarPose()))
             for _ in range(2)]
    a, b = (np.concatenate([c.audio for c in t]) for t in takes)
    assert a.dtype == np.int16 and np.array_equal(a, b)
    assert np.allclose(np.concatenate([c.face for c in takes[0]]),
                       np.concatenate([c.face for c in takes[1]]))
    other = np.concatenate([c.audio for c in live.stream("Hello there, my friend.", "sad",
                                                         seed=6, pose=AvatarPose())])
    assert not np.array_equal(a[:len(other)], other[:len(a)])



@pytest.fixture(scope="module")
def spoken_apart():
    """A live studio whose phrases are spoken in speaker processes (as ``emostudio serve``)."""
    with LiveStudio(speakers=True) as studio:
        yield studio


def test_a_speaker_process_that_dies_is_replaced(spoken_apart):
    import multiprocessing
    import os
    import signal

    speakers = spoken_apart._speakers
    victim = next(iter(speakers._pools[0]._processes))
    os.kill(victim, signal.SIGKILL)
    line = "Are you still there?"
    for _ in range(len(speakers._pools)):  # every speaker, the dead one among them
        chunks = list(spoken_apart.stream(line, "calm", seed=1, pose=AvatarPose()))
        assert chunks[-1].last and sum(len(c.audio) for c in chunks) > 0
    alive = {p.pid for p in multiprocessing.active_children()}
    assert victim not in alive
    assert all(set(pool._processes) <= alive for pool in speakers._pools)


def test_speaker_processes_stream_what_the_worker_threads_would(live, spoken_apart):
    import multiprocessing

    assert len(multiprocessing.active_children()) >= spoken_apart.workers  # its speakers
    line = "Hello there, [angry] my friend. Get out."
    apart = list(spoken_apart.stream(line, "sad", seed=5, pose=AvatarPose()))
    here = list(live.stream(line, "sad", seed=5, pose=AvatarPose()))
    assert len(apart) == len(here) > 2 and apart[-1].last
    assert np.array_equal(np.concatenate([c.audio for c in apart]),
                          np.concatenate([c.audio for c in here]))
    assert [w.text for c in apart for w in c.words] == [w.text for c in here for w in c.words]
    assert np.allclose(np.concatenate([c.face for c in apart]),
                       np.concatenate([c.face for c in here]))
