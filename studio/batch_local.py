"""``emostudio batch --engine local``: the lines of a batch rendered by worker processes here.

Each worker process (spawned, so that it starts clean of the parent's threads) loads the models
once (:func:`studio.batch_line.init_worker`) and renders lines one after another with
:func:`studio.batch_line.render_line`; the cores are shared out between the workers.
"""

from __future__ import annotations

import concurrent.futures as futures
import multiprocessing
import os
from dataclasses import dataclass
from pathlib import Path

from studio.batch_line import Finish, RenderOptions, failed_entry, init_worker, render_line


@dataclass(frozen=True)
class LocalEngine:
    """Worker processes on this machine (``jobs`` 1: in this process); a
    :class:`studio.batch.Engine`."""

    jobs: int = 1
    """Parallel worker processes."""

    def run(self, lines: list, todo: list[int], out: Path, options: RenderOptions,
            finish: Finish) -> None:
        if self.jobs == 1 or len(todo) <= 1:
            for i in todo:
                finish(i, render_line(lines[i], out, options))
        else:
            _run_parallel(lines, todo, out, options, self.jobs, finish)


def _run_parallel(lines: list, todo: list[int], out: Path, options: RenderOptions, jobs: int,
                  finish: Finish) -> None:
    """Render lines ``todo`` in ``jobs`` spawned worker processes, calling ``finish`` per line."""
    threads = max(1, (os.cpu_count() or 1) // jobs)
    pool = futures.ProcessPoolExecutor(max_workers=jobs,
                                       mp_context=multiprocessing.get_context("spawn"),
                                       initializer=init_worker,
                                       initargs=(threads, options.prosody))
    try:
        pending = {pool.submit(render_line, lines[i], out, options): i for i in todo}
        for future in futures.as_completed(pending):
            i = pending[future]
            try:
                entry = future.result()
            except Exception as exc:  # noqa: BLE001 - a crashed worker fails its line only
                entry = failed_entry(lines[i], f"worker failed: {exc}")
            finish(i, entry)
    except BaseException:
        # Ctrl-C or a crash: stop now; in-flight lines are redone by the next run.
        children = multiprocessing.active_children()
        for child in children:
            child.terminate()
        for child in children:
            child.join(timeout=10)
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
