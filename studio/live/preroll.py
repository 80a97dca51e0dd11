"""How long a line's first chunk waits before it is sent: a pre-roll that keeps playback fed.

A client plays a line from its first chunk on, in real time; phrase ``k`` must arrive before
the audio of the phrases before it has played. Holding the first chunk back a little (a jitter
buffer, on the server side) moves every later deadline by as much. When several lines render at
once, each gets a share of the workers, and lines asked for later will take their share too:
the first chunk goes out :data:`FIRST_AUDIO_LIMIT_S` after its line was asked for (sooner is
not better: the latency budget is spent on pre-roll). A line rendered alone (about 0.2-0.3 x
real time on a quiet machine) is held only as long as :func:`release_time` predicts its later
phrases need (:class:`RenderCosts`), at most until :data:`ALONE_FIRST_AUDIO_LIMIT_S`.
"""

from __future__ import annotations

import threading

import numpy as np

#: A phrase's cost on one worker, seconds: fixed + per second of its audio (speech and
#: animation; CPU time on this 2-core machine, phrases of 2-10 words, ``bench/live.py`` lines).
COST_FIXED_S = 0.06
COST_PER_AUDIO_S = 0.2
#: Weight of the newest phrase in the running estimate of wall time over modelled cost.
COST_SMOOTHING = 0.25
#: When the first chunk goes out, seconds after its line was asked for, while other lines are
#: being rendered too (or at once if it is made later): the bar for four clients is 0.6 s.
FIRST_AUDIO_LIMIT_S = 0.5
#: The latest a line rendered alone sends its first chunk (the bar for one client: 0.25 s).
ALONE_FIRST_AUDIO_LIMIT_S = 0.2
#: Seconds a later chunk is meant to arrive before its audio plays (sending, a client's jitter).
MARGIN_S = 0.05


class RenderCosts:
    """The predicted wall-clock cost of rendering a phrase on one worker, calibrated as the
    workers go: the model (:data:`COST_FIXED_S` + :data:`COST_PER_AUDIO_S` per second of audio)
    times a running factor of measured over modelled time, which takes in other programs'
    load on the machine. One factor for a line rendered alone and one for a line that shares
    the workers with others (the workers then contend for the cores and the memory: about 1.3
    times slower on this machine). Thread-safe."""

    def __init__(self, alone: float = 1.0, shared: float = 1.3) -> None:
        self.factors = {False: alone, True: shared}
        """Measured wall time over modelled cost (exponentially weighted), by ``shared``."""
        self._lock = threading.Lock()

    @staticmethod
    def model(audio_s: float) -> float:
        return COST_FIXED_S + COST_PER_AUDIO_S * audio_s

    def estimate(self, audio_s: float, shared: bool = False) -> float:
        """Predicted seconds of one worker to speak and animate a phrase of ``audio_s``,
        ``shared``: while other lines are being rendered too."""
        return self.factors[shared] * self.model(audio_s)

    def observe(self, audio_s: float, wall_s: float, shared: bool = False) -> None:
        """A phrase of ``audio_s`` seconds took ``wall_s`` seconds to speak and animate."""
        with self._lock:
            ratio = wall_s / self.model(audio_s)
            self.factors[shared] += COST_SMOOTHING * (ratio - self.factors[shared])


def release_time(ready: float, asked: float, phrase_s, later_cost_s,
                 limit_s: float = ALONE_FIRST_AUDIO_LIMIT_S) -> float:
    """When to send the first chunk of a line rendered alone (``time.monotonic()`` seconds).

    ``ready``: when it is made; ``asked``: when the line was asked for; ``phrase_s``: (n,)
    seconds of audio of the line's phrases (measured or estimated); ``later_cost_s``: (n - 1,)
    predicted worker seconds of phrases 1.. (:meth:`RenderCosts.estimate`). Phrase ``k`` is
    predicted ready at ``ready`` plus the later phrases' costs up to ``k`` (spoken one after
    another), and is due when the phrases before it have played (plus :data:`MARGIN_S`). The
    first chunk is held until the latest of them is in time, at most until ``asked + limit_s``
    (at once if that has passed).
    """
    costs = np.asarray(later_cost_s, np.float64)
    if costs.size == 0:
        return ready
    finish = ready + np.cumsum(costs)
    played = np.cumsum(np.asarray(phrase_s, np.float64))[:costs.size]
    needed = float(np.max(finish + MARGIN_S - played))
    return min(max(ready, needed), max(ready, asked + limit_s))


__all__ = ["ALONE_FIRST_AUDIO_LIMIT_S", "FIRST_AUDIO_LIMIT_S", "RenderCosts", "release_time"]
