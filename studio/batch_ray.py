"""``emostudio batch --engine ray``: the lines of a batch rendered by Ray actors.

Each actor (:class:`LineRenderer`, one Ray worker process) loads the models once and renders
one line at a time with :func:`studio.batch_line.render_line`, the local engine's code: the same
take folders, temporary folder and atomic rename, the same manifest entries. The driver (the
``emostudio batch`` process) hands each actor its next line when the last one is done, so a
slow line never holds up a queue behind it.

Without an address, a private cluster starts on this machine, bound to 127.0.0.1 (no
dashboard, token authentication), with one CPU per actor, and stops with the batch. With an
address (``auto``: the cluster started on this machine by ``ray start``; ``HOST:PORT``: its
head) the batch joins a running cluster: every node then needs the output folder at the same
path (a shared file system) and emostudio installed. (Ray turns token authentication on only
for ``auto``: with ``HOST:PORT``, set ``RAY_AUTH_MODE=token`` when the cluster uses it.)

A worker process that dies (killed, out of memory, a lost node) is replaced by a new actor and
its line rendered again, at most :data:`MAX_ATTEMPTS` times in all; a line that fails for a
reason of its own (bad text) comes back as an ``error`` entry from the worker and is not
retried.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from controllers.errors import InputError
from studio.batch_line import Finish, RenderOptions, failed_entry, init_worker, render_line

#: Renders of one line, the first included, before it is given up (a worker died each time).
MAX_ATTEMPTS = 3
#: Ray's shared-memory object store of a cluster started here: lines return small dicts.
OBJECT_STORE_BYTES = 200 * 1024**2


class LineRenderer:
    """A Ray actor: one worker process with the studio's models, rendering lines."""

    def __init__(self, prosody: str) -> None:
        init_worker(1, prosody)  # one CPU per actor (a take is single-threaded: studio.threads)

    def pid(self) -> int:
        """The worker's process id."""
        return os.getpid()

    def render(self, line, out: str, options: RenderOptions) -> dict:
        """:func:`studio.batch_line.render_line` in this worker."""
        return render_line(line, Path(out), options)


@dataclass(eq=False)
class _Worker:
    """An actor and what it is doing."""

    actor: object
    """The actor handle."""
    pid: object
    """ObjectRef of the worker's process id (asked first: it never waits behind a line)."""
    line: int | None = None
    """Index of the line it is rendering, or None."""


def _import_ray(local: bool):
    """Import Ray; a clear error when it is not installed."""
    if local and "ray" not in sys.modules:
        # Read when Ray is first imported. Loopback node address: the servers of a cluster
        # started here listen on 127.0.0.1 only; token authentication, said once (no warning).
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        os.environ.setdefault("RAY_AUTH_MODE", "token")
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        import ray
    except ImportError:
        raise InputError("--engine ray needs Ray: pip install 'emostudio[ray]'") from None
    return ray


class RayEngine:
    """Render a batch's lines on ``jobs`` Ray actors (a :class:`studio.batch.Engine`).

    ``address``: a running cluster to join (``"auto"``, ``"HOST:PORT"``); None starts a
    private cluster on this machine with ``jobs`` CPUs for the batch's duration.
    """

    def __init__(self, jobs: int = 1, address: str | None = None) -> None:
        if jobs < 1:
            raise InputError(f"--jobs must be at least 1, got {jobs}")
        self.jobs = jobs
        self.address = address
        self._ray = _import_ray(local=address is None)
        self._workers: list[_Worker] = []
        self._actor_class = None
        self.retried: list[str] = []
        """Ids of lines rendered again because their worker died (once per retry)."""

    # -- cluster ----------------------------------------------------------------------------
    def _connect(self) -> bool:
        """Join or start the cluster; True when this call did (and shutdown is ours)."""
        ray = self._ray
        if ray.is_initialized():
            return False
        quiet = dict(include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
        if self.address is None:
            ray.init(address="local", num_cpus=self.jobs, _node_ip_address="127.0.0.1",
                     object_store_memory=OBJECT_STORE_BYTES, **quiet)
        else:
            quiet.pop("include_dashboard")  # (the cluster's own setting)
            try:
                ray.init(address=self.address, **quiet)
            except (ConnectionError, ValueError) as exc:
                raise InputError(f"cannot join the Ray cluster at {self.address!r}: {exc}") \
                    from None
        return True

    def _start(self, prosody: str) -> _Worker:
        """A new actor (its line retries are ours: Ray neither restarts nor retries it)."""
        if self._actor_class is None:
            self._actor_class = self._ray.remote(num_cpus=1, max_restarts=0,
                                                 max_task_retries=0)(LineRenderer)
        actor = self._actor_class.remote(prosody)
        return _Worker(actor, actor.pid.remote())

    def _replace(self, worker: _Worker, prosody: str) -> _Worker:
        """A new actor in the place of ``worker``'s, which is gone."""
        self._ray.kill(worker.actor)  # (if its process lives on, unreachable, it ends now)
        slot = self._workers.index(worker)
        self._workers[slot] = self._start(prosody)
        return self._workers[slot]

    def rendering(self) -> dict[int, int]:
        """Worker process id -> index (in the script) of the line it is rendering, for each
        busy worker."""
        busy = [w for w in self._workers if w.line is not None]
        return dict(zip(self._ray.get([w.pid for w in busy]), [w.line for w in busy]))

    # -- rendering --------------------------------------------------------------------------
    def run(self, lines: list, todo: list[int], out: Path, options: RenderOptions,
            finish: Finish) -> None:
        ours = self._connect()
        try:
            self._render(lines, todo, out, options, finish)
        finally:
            for worker in self._workers:
                with contextlib.suppress(Exception):  # (a cluster already gone)
                    self._ray.kill(worker.actor)
            self._workers = []
            if ours:
                self._ray.shutdown()

    def _render(self, lines: list, todo: list[int], out: Path, options: RenderOptions,
                finish: Finish) -> None:
        ray = self._ray
        from ray.exceptions import RayActorError, RayError, RayTaskError
        from tqdm import tqdm  # (its write keeps the progress bar whole)

        queue = deque(todo)
        attempts = dict.fromkeys(todo, 0)
        running: dict = {}  # ObjectRef of a render -> its worker
        cpus = int(ray.cluster_resources().get("CPU", 0))
        if cpus < self.jobs:  # an actor without a CPU would hold its line forever
            tqdm.write(f"emostudio batch: the Ray cluster has {cpus} CPUs; running "
                       f"{max(cpus, 1)} workers, not {self.jobs}", file=sys.stderr)
        self._workers = [self._start(options.prosody)
                         for _ in range(max(1, min(self.jobs, cpus, len(todo))))]

        def feed(worker: _Worker) -> None:
            if queue:
                worker.line = queue.popleft()
                attempts[worker.line] += 1
                ref = worker.actor.render.remote(lines[worker.line], str(out), options)
                running[ref] = worker

        for worker in self._workers:
            feed(worker)
        while running:
            [ref], _ = ray.wait(list(running), num_returns=1)
            worker = running.pop(ref)
            i, worker.line = worker.line, None
            try:
                entry = ray.get(ref)
            except RayTaskError as exc:  # render_line raised: a bug, not a lost worker
                entry = failed_entry(lines[i], f"worker failed: {exc}")
            except RayError as exc:  # the worker process or its node is gone
                if isinstance(exc, RayActorError) and exc.actor_init_failed:
                    raise RuntimeError(f"a Ray worker could not load the models: {exc}") from None
                worker = self._replace(worker, options.prosody)
                if attempts[i] < MAX_ATTEMPTS:
                    self.retried.append(lines[i].id)
                    tqdm.write(f"emostudio batch: the worker rendering line {lines[i].id!r} "
                               f"died; rendering it again (attempt {attempts[i] + 1} of "
                               f"{MAX_ATTEMPTS})", file=sys.stderr)
                    queue.appendleft(i)
                    feed(worker)
                    continue
                entry = failed_entry(lines[i], f"its worker died {attempts[i]} times "
                                               f"({type(exc).__name__})")
            finish(i, entry)
            feed(worker)
