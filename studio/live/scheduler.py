"""Worker threads that do the live stream's work, earliest deadline first.

Every piece of work (a phrase to speak, then animate) carries a deadline: when it must start
for its audio to reach the listener's speaker in time. The first phrase of a new line is due
now; a later phrase when the audio before it will have played, less what it is predicted to
cost (its line moves the deadline as it learns when playback starts and how long the phrases
are: :meth:`PhraseScheduler.retime`). Workers always take the job due soonest, so a client that
has just asked for a line is served before clients whose audio is already buffered seconds
ahead: many clients share the machine fairly in the sense that matters for playback (nobody's
audio runs dry while someone else renders ahead). Cancelled jobs (a line interrupted, a client
gone) are dropped unrun.

The models are shared by the workers (one voice, one prosody model; or one speaker process per
worker, ``studio.live.speakers``); each synthesis runs with one ONNX / BLAS thread
(``studio.threads``), so two workers use two cores.
"""

from __future__ import annotations

import itertools
import threading
import time
from concurrent.futures import Future
from typing import Any, Callable

#: Worker threads by default: one per core of the 2-core machine the studio targets.
DEFAULT_WORKERS = 2


class Job:
    """One piece of work: ``fn()`` run on a worker; its result or error in :attr:`future`."""

    def __init__(self, fn: Callable[[], Any], deadline: float, label: str = "") -> None:
        self.fn = fn
        self.deadline = deadline
        """``time.monotonic()`` seconds when the result is needed (see
        :meth:`PhraseScheduler.retime`)."""
        self.label = label
        self.future: Future = Future()

    def cancel(self) -> bool:
        """Drop the job if it has not started (True), else let it finish unheard."""
        return self.future.cancel()


class PhraseScheduler:
    """A pool of worker threads running :class:`Job` s earliest deadline first."""

    def __init__(self, workers: int = DEFAULT_WORKERS) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self._queue: list[tuple[int, Job]] = []  # (order, job); a few dozen
        self._order = itertools.count()
        self._cv = threading.Condition()
        self._closed = False
        self._threads = [threading.Thread(target=self._work, name=f"live-worker-{i}",
                                          daemon=True) for i in range(workers)]
        for t in self._threads:
            t.start()

    @property
    def workers(self) -> int:
        return len(self._threads)

    def submit(self, fn: Callable[[], Any], deadline: float | None = None,
               label: str = "") -> Job:
        """Queue ``fn`` to run by ``deadline`` (``time.monotonic()`` seconds; None: now)."""
        job = Job(fn, time.monotonic() if deadline is None else deadline, label)
        with self._cv:
            if self._closed:
                job.future.cancel()
                return job
            self._queue.append((next(self._order), job))
            self._cv.notify()
        return job

    def retime(self, deadlines: dict[Job, float]) -> None:
        """Move jobs' deadlines (those not started yet take the new order at once)."""
        with self._cv:
            for job, deadline in deadlines.items():
                job.deadline = deadline

    def pending(self) -> int:
        """Jobs queued and not cancelled."""
        with self._cv:
            return sum(1 for _, j in self._queue if not j.future.cancelled())

    def _next(self) -> Job | None:
        with self._cv:
            while True:
                self._queue = [e for e in self._queue if not e[1].future.cancelled()]
                if self._queue:
                    entry = min(self._queue, key=lambda e: (e[1].deadline, e[0]))
                    self._queue.remove(entry)
                    if entry[1].future.set_running_or_notify_cancel():
                        return entry[1]
                    continue
                if self._closed:
                    return None
                self._cv.wait()

    def _work(self) -> None:
        while (job := self._next()) is not None:
            try:
                result = job.fn()
            except BaseException as exc:  # noqa: BLE001 - handed to whoever waits on it
                job.future.set_exception(exc)
            else:
                job.future.set_result(result)

    def close(self, timeout: float = 10.0) -> None:
        """Cancel what is queued, let running jobs finish, stop the workers."""
        with self._cv:
            self._closed = True
            for _, job in self._queue:
                job.future.cancel()
            self._queue.clear()
            self._cv.notify_all()
        for t in self._threads:
            t.join(timeout)


__all__ = ["DEFAULT_WORKERS", "Job", "PhraseScheduler"]
