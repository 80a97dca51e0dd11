"""Render a script of many lines: parallel workers, a manifest, resumable after an interruption.

Layout of the output folder ``DIR``::

    DIR/manifest.json        one entry per finished line (done or error), in script order
    DIR/<id>/                one complete take per line, laid out as ``emostudio render`` does
    DIR/<id>/take.json       written last inside the take; marks the take complete
    DIR/.partial/            takes being rendered (removed when the batch ends)

A take is rendered into ``DIR/.partial/<id>.<random>/`` and renamed to ``DIR/<id>`` only when
all its files are written, so ``DIR/<id>`` is always either absent or complete. Re-running the
same batch skips every line whose folder holds a complete take made from the same text, emotion
and options; interrupted and failed lines are rendered again.

Each worker loads the models once (:func:`studio.pipeline.default_studio`) and renders lines one
after another. Who runs the workers is an :class:`Engine`: :class:`LocalEngine` (worker
processes on this machine, the default) or ``studio.batch_ray.RayEngine`` (Ray actors on a
cluster, ``--engine ray``). Engines only render; the manifest, resume and the progress bar are
:func:`run_batch`'s, the same for every engine.
"""

from __future__ import annotations

import concurrent.futures as futures
import contextlib
import fcntl
import json
import multiprocessing
import os
import shutil
import sys
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterator, Protocol

from controllers.errors import InputError
from synth.atomic import atomic_write_text
from studio.take import read_summary

MANIFEST_NAME = "manifest.json"
PARTIAL_DIR = ".partial"
LOCK_NAME = ".batch.lock"


@dataclass(frozen=True)
class RenderOptions:
    """How every line of a batch is rendered (a line is redone when these change)."""

    loop: bool = False
    """Run the critic loop (several renders per line) instead of a single judged pass."""
    preview: str = "body"
    """``body`` (full body, face animated), ``face`` (head close-up) or ``none``."""
    prosody: str = "diffusion"
    """Prosody model: ``diffusion``, ``rules`` or ``none``."""
    seed: int = 0
    """Random seed of every line."""


def load_lines(script: str | Path) -> list:
    """The lines of a ``.txt``, ``.csv`` or ``.yaml`` script (``controllers.script``).

    A line with a problem (empty text, an emotion that cannot be read, a repeated id) comes
    back with its ``error`` set instead of failing the whole script.
    """
    from controllers.script import load_script

    return load_script(script, strict=False)


def line_key(line) -> dict:
    """What a take is made from: a finished take is reused only when its key is unchanged."""
    return {"id": line.id, "text": line.text, "emotion": line.emotion,
            "plan": line.plan.to_dict()}


def _entry(line, **fields) -> dict:
    """A manifest entry of ``line`` (id, text, emotion) with ``fields``."""
    return {"id": line.id, "text": line.text, "emotion": line.emotion, **fields}


def failed_entry(line, error: str) -> dict:
    """The manifest entry of a line whose render failed for a reason not its own (a worker
    that died, ...): not bad input, so the next run renders it again."""
    return _entry(line, status="error", error=error, bad_input=False, files=[])


# -- worker side -------------------------------------------------------------------------------

def init_worker(threads: int, prosody: str) -> None:
    """Worker start-up: leave Ctrl-C to the parent, limit threads, load the models once."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():  # (signals: main thread only)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    # the workers share the cores: each gets its part (torch, OpenMP, the voice's onnxruntime)
    os.environ["OMP_NUM_THREADS"] = os.environ["EMOSTUDIO_TTS_THREADS"] = str(threads)
    import torch

    torch.set_num_threads(threads)
    from studio.pipeline import default_studio

    default_studio().load(prosody)


def render_line(line, out: Path, options: RenderOptions) -> dict:
    """Render one line into ``out/<id>`` (via a temporary folder) and return its manifest entry.

    Never raises for a bad line or a failed render: the entry's ``status`` is ``error`` and
    ``error`` says why.
    """
    from studio.pipeline import default_studio

    entry = _entry(line)
    partial_root = out / PARTIAL_DIR
    partial_root.mkdir(parents=True, exist_ok=True)
    tmp = partial_root / f"{line.id}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
    tmp.mkdir()  # (not mkdtemp: the take keeps the user's usual permissions)
    try:
        take = default_studio().render(line.text, line.plan, out=tmp, seed=options.seed,
                                       loop=options.loop, preview=options.preview,
                                       prosody=options.prosody)
        take.write_summary(tmp, extra={"line": line_key(line), "options": asdict(options)})
        _move_into_place(tmp, out / line.id)
        record = read_summary(out / line.id)
        if record is None:
            raise RuntimeError(f"take {line.id} is incomplete after rendering")
        entry.update(_done_fields(line, record))
    except InputError as exc:
        entry.update(status="error", error=str(exc), bad_input=True, files=[])
    except Exception as exc:  # noqa: BLE001 - one bad line must never end the batch
        entry = failed_entry(line, f"{type(exc).__name__}: {exc}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return entry


def _move_into_place(tmp: Path, final: Path) -> None:
    """Rename a finished take folder to its final name (an older take there, made from other
    text or options, is moved aside first and deleted)."""
    if final.exists():
        old = final.parent / PARTIAL_DIR / f"{final.name}.old.{os.getpid()}"
        os.replace(final, old)
        os.replace(tmp, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, final)


def _done_fields(line, record: dict) -> dict:
    """Manifest fields of a complete take, from its ``take.json`` record."""
    verdict = record.get("verdict") or {}
    return {
        "status": "done",
        "error": None,
        "files": [f"{line.id}/{name}" for name in record.get("files", [])],
        "target": record.get("target"),
        "duration": record.get("duration"),
        "timings": record.get("timings"),
        "verdict": verdict,
    }


# -- engines -----------------------------------------------------------------------------------

#: Called by an engine once per rendered line: the line's index in the script, its manifest entry.
Finish = Callable[[int, dict], None]

ENGINES: tuple[str, ...] = ("local", "ray")


class Engine(Protocol):
    """Renders lines with :func:`render_line` on workers that load the models once."""

    def run(self, lines: list, todo: list[int], out: Path, options: RenderOptions,
            finish: Finish) -> None:
        """Render ``lines[i]`` for every ``i`` in ``todo`` into ``out`` and call
        ``finish(i, entry)`` for each, in the caller's thread, in any order."""


@dataclass(frozen=True)
class LocalEngine:
    """Worker processes on this machine (``jobs`` 1: in this process)."""

    jobs: int = 1
    """Parallel worker processes."""

    def run(self, lines: list, todo: list[int], out: Path, options: RenderOptions,
            finish: Finish) -> None:
        if self.jobs == 1 or len(todo) <= 1:
            for i in todo:
                finish(i, render_line(lines[i], out, options))
        else:
            _run_parallel(lines, todo, out, options, self.jobs, finish)


def make_engine(name: str = "local", jobs: int = 1, address: str | None = None) -> Engine:
    """The engine called ``name`` with ``jobs`` workers (``address``: a Ray cluster to join)."""
    if jobs < 1:
        raise InputError(f"--jobs must be at least 1, got {jobs}")
    if name == "local":
        if address is not None:
            raise InputError("--address is a Ray cluster's address; use it with --engine ray")
        return LocalEngine(jobs)
    if name == "ray":
        from studio.batch_ray import RayEngine

        return RayEngine(jobs, address)
    raise InputError(f"engine {name!r} is not accepted; use one of {', '.join(ENGINES)}")


# -- parent side -------------------------------------------------------------------------------

def finished_entry(line, out: Path, options: RenderOptions) -> dict | None:
    """The manifest entry of a line already rendered from the same key and options, or None."""
    record = read_summary(out / line.id)
    if (record is None or record.get("line") != line_key(line)
            or record.get("options") != asdict(options)):
        return None
    return _entry(line, **_done_fields(line, record))


@contextlib.contextmanager
def _exclusive(out: Path) -> Iterator[None]:
    """Hold a lock on ``out`` so that two batches never write the same folder at once.

    The (empty) lock file stays: removing it would let a third batch lock a new file while a
    second still holds the old one.
    """
    out.mkdir(parents=True, exist_ok=True)
    with open(out / LOCK_NAME, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(f"another batch is writing {out}; wait for it or use another --out")
        yield  # closing the file releases the lock


class _Manifest:
    """The manifest being built: entries by line index, rewritten atomically on every change."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[int, dict] = {}

    def set(self, index: int, entry: dict) -> None:
        self.entries[index] = entry
        self.write()

    def write(self) -> None:
        atomic_write_text(self.path, json.dumps(self.as_list(), indent=1))

    def as_list(self) -> list[dict]:
        return [self.entries[i] for i in sorted(self.entries)]


def run_batch(
    script: str | Path,
    out: str | Path,
    jobs: int = 1,
    options: RenderOptions = RenderOptions(),
    progress: bool | None = None,
    on_entry: Callable[[dict], None] | None = None,
    engine: str | Engine = "local",
    address: str | None = None,
) -> list[dict]:
    """Render every line of ``script`` into ``out``; return the manifest (also in ``out``).

    ``jobs`` workers render lines in parallel, run by ``engine``: ``"local"`` (processes on
    this machine; 1: in this process), ``"ray"`` (Ray actors; ``address`` joins a running
    cluster, None starts one on this machine) or an :class:`Engine`. Lines already complete
    in ``out`` are skipped. ``progress``: a tqdm bar on stderr (None: only on a terminal).
    ``on_entry`` is called with each new manifest entry. Bad lines become ``error`` entries
    and are reported on stderr; the batch goes on.
    """
    from tqdm import tqdm

    from controllers.numbers import check_seed
    from synth.atomic import check_output

    check_output(out, "folder", label="out")  # bad input is refused before any work
    check_seed(options.seed)
    if isinstance(engine, str):
        engine = make_engine(engine, jobs, address)
    out = Path(out).absolute()  # (workers elsewhere, or in another folder, write here too)
    lines = load_lines(script)

    with _exclusive(out):
        shutil.rmtree(out / PARTIAL_DIR, ignore_errors=True)  # left by an interrupted run
        manifest = _Manifest(out / MANIFEST_NAME)
        todo: list[int] = []
        for i, line in enumerate(lines):
            if line.error:
                manifest.entries[i] = _entry(line, status="error", error=line.error,
                                             bad_input=True, files=[])
                print(f"emostudio batch: line {line.id!r} skipped: {line.error}", file=sys.stderr)
                continue
            entry = finished_entry(line, out, options)
            if entry is not None:
                manifest.entries[i] = entry
            else:
                todo.append(i)
        manifest.write()

        bar = tqdm(total=len(todo), unit="line", disable=None if progress is None else not progress,
                   desc=f"rendering ({len(lines) - len(todo)} of {len(lines)} lines already done)",
                   file=sys.stderr, dynamic_ncols=True)

        def finish(index: int, entry: dict) -> None:
            manifest.set(index, entry)
            if entry["status"] == "error":
                bar.write(f"emostudio batch: line {entry['id']!r} failed: {entry['error']}",
                          file=sys.stderr)
            if on_entry:
                on_entry(entry)
            bar.update(1)

        try:
            if todo:
                engine.run(lines, todo, out, options, finish)
        finally:
            bar.close()
            shutil.rmtree(out / PARTIAL_DIR, ignore_errors=True)
        return manifest.as_list()


def _run_parallel(lines: list, todo: list[int], out: Path, options: RenderOptions, jobs: int,
                  finish: Callable[[int, dict], None]) -> None:
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
