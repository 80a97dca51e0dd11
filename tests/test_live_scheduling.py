"""Live mode's scheduling: deadlines that move, the first chunk's pre-roll, calibrated costs."""

from __future__ import annotations

import threading

import pytest

from studio.live.preroll import ALONE_FIRST_AUDIO_LIMIT_S, MARGIN_S, RenderCosts, release_time
from studio.live.scheduler import PhraseScheduler


def test_a_line_predicted_to_keep_up_is_sent_at_once():
    # phrases of 0.5, 0.9, 2.4 s of audio; the second ready 0.3 s after the first, the third
    # 0.6 s after that: both well before they play
    assert release_time(10.0, 9.9, [0.5, 0.9, 2.4], [0.3, 0.6]) == 10.0
    # a line of one phrase has nothing to wait for
    assert release_time(10.0, 9.9, [0.5], []) == 10.0


def test_a_line_that_would_fall_behind_is_held_just_enough():
    # the second phrase takes 0.6 s: due 0.5 s after playback starts
    held = release_time(10.0, 10.0, [0.5, 0.9], [0.6])
    assert held == pytest.approx(10.0 + 0.6 + MARGIN_S - 0.5)
    # the latest phrase decides: the third is 0.7 s behind without a pre-roll, capped
    capped = release_time(10.0, 9.9, [0.5, 0.9, 2.4], [0.3, 1.8])
    assert capped == pytest.approx(9.9 + ALONE_FIRST_AUDIO_LIMIT_S)
    assert release_time(10.0, 9.9, [0.5, 0.9, 2.4], [0.3, 1.8], limit_s=1.0) == pytest.approx(
        10.0 + 2.1 + MARGIN_S - 1.4)
    # a first chunk made after the limit goes at once
    assert release_time(11.0, 9.9, [0.5, 0.9, 2.4], [0.3, 1.8]) == 11.0


def test_render_costs_follow_what_phrases_took_alone_and_shared():
    costs = RenderCosts(alone=1.0, shared=1.0)
    base = costs.estimate(1.0)
    for _ in range(30):
        costs.observe(1.0, 2.0 * base, shared=True)
    assert costs.estimate(1.0, shared=True) == pytest.approx(2.0 * base, rel=0.01)
    assert costs.estimate(1.0) == base          # a line alone is not slowed by it
    assert costs.estimate(2.0) > costs.estimate(1.0) > 0


def test_a_job_moved_earlier_runs_before_one_that_was_due_first():
    scheduler = PhraseScheduler(workers=1)
    gate, order = threading.Event(), []
    try:
        scheduler.submit(gate.wait, deadline=0.0)  # holds the only worker
        first = scheduler.submit(lambda: order.append("first"), deadline=1.0)
        later = scheduler.submit(lambda: order.append("later"), deadline=2.0)
        scheduler.retime({later: 0.5})
        gate.set()
        first.future.result(30)
        later.future.result(30)
    finally:
        gate.set()
        scheduler.close()
    assert order == ["later", "first"]
