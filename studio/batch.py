"""Render a script of many lines: parallel workers, a manifest, resumable after an interruption.

Layout of the output folder ``DIR``::

    DIR/manifest.json        one entry per finished line (done or error), in script order
    DIR/<id>/                one complete take per line, laid out as ``emostudio render`` does
                             (named by a VO sheet's Filename column instead, when it has one)
    DIR/<id>/take.json       written last inside the take; marks the take complete
    DIR/.partial/            takes being rendered (removed when the batch ends)

A take is rendered into ``DIR/.partial/<id>.<random>/`` and renamed to ``DIR/<id>`` only when
all its files are written, so ``DIR/<id>`` is always either absent or complete. Re-running the
same batch skips every line whose folder holds a complete take made from the same text, emotion
and options; interrupted and failed lines are rendered again.

Each worker loads the models once (:func:`studio.pipeline.default_studio`) and renders lines one
after another (:mod:`studio.batch_line`). Who runs the workers is an :class:`Engine`, named in
:data:`ENGINE_CLASSES` and imported when chosen: ``studio.batch_local.LocalEngine`` (worker
processes on this machine, the default) or ``studio.batch_ray.RayEngine`` (Ray actors on a
cluster, ``--engine ray``). Engines only render; the manifest, resume and the progress bar are
:func:`run_batch`'s, the same for every engine. Each line is performed by its speaker's
:class:`~controllers.character.Character` (``controllers.script``: the cast mapping, or one
built-in character per speaker); ``take.json`` and the manifest record the line id, the
speaker and the character.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib
import json
import shutil
import sys
from pathlib import Path
from typing import Callable, Iterator, Protocol

from controllers.errors import InputError
from studio.batch_jobs import check_jobs
from studio.batch_line import (PARTIAL_DIR, Finish, RenderOptions, finished_entry,
                               manifest_entry)
from synth.atomic import atomic_write_text, remove_stale_temporaries

__all__ = ["ENGINES", "Engine", "MANIFEST_NAME", "PARTIAL_DIR", "RenderOptions", "load_lines",
           "make_engine", "run_batch"]

MANIFEST_NAME = "manifest.json"
LOCK_NAME = ".batch.lock"


def load_lines(script: str | Path, fmt: str | None = None, cast: str | Path | None = None,
               auto: bool = False) -> list:
    """The lines of a script in any format :mod:`controllers.script` reads (``fmt`` forces
    one; ``cast``: a cast mapping file; ``auto``: lines without an emotion take the one their
    words suggest), each with its speaker's Character.

    A line with a problem (empty text, an emotion that cannot be read, a repeated id) comes
    back with its ``error`` set instead of failing the whole script.
    """
    from controllers.script import load_script

    return load_script(script, auto=auto, strict=False, fmt=fmt, cast=cast)


# -- engines -----------------------------------------------------------------------------------

#: Engine name -> ``"module:Class"``, imported only when chosen (so this module imports no
#: engine, and an engine may import what it shares with the others without a circle).
ENGINE_CLASSES: dict[str, str] = {
    "local": "studio.batch_local:LocalEngine",
    "ray": "studio.batch_ray:RayEngine",
}
ENGINES: tuple[str, ...] = tuple(ENGINE_CLASSES)


class Engine(Protocol):
    """Renders lines with :func:`studio.batch_line.render_line` on workers that load the models
    once."""

    def run(self, lines: list, todo: list[int], out: Path, options: RenderOptions,
            finish: Finish) -> None:
        """Render ``lines[i]`` for every ``i`` in ``todo`` into ``out`` and call
        ``finish(i, entry)`` for each, in the caller's thread, in any order."""


def make_engine(name: str = "local", jobs: int = 1, address: str | None = None) -> Engine:
    """The engine called ``name`` with ``jobs`` workers (``address``: a Ray cluster to join).

    Workers on this machine (the local engine, or Ray's private cluster) are capped at what
    the machine holds (:func:`studio.batch_jobs.check_jobs`).
    """
    if name not in ENGINE_CLASSES:
        raise InputError(f"engine {name!r} is not accepted; use one of {', '.join(ENGINES)}")
    if name == "local" and address is not None:
        raise InputError("--address is a Ray cluster's address; use it with --engine ray")
    if jobs < 1:
        raise InputError(f"--jobs must be at least 1, got {jobs}")
    if address is None:
        check_jobs(jobs)
    module, cls = ENGINE_CLASSES[name].split(":")
    engine_class = getattr(importlib.import_module(module), cls)
    return engine_class(jobs) if name == "local" else engine_class(jobs, address)


# -- parent side -------------------------------------------------------------------------------

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
    fmt: str | None = None,
    cast: str | Path | None = None,
    auto: bool = False,
) -> list[dict]:
    """Render every line of ``script`` into ``out``; return the manifest (also in ``out``).

    ``jobs`` workers render lines in parallel, run by ``engine``: ``"local"`` (processes on
    this machine; 1: in this process), ``"ray"`` (Ray actors; ``address`` joins a running
    cluster, None starts one on this machine) or an :class:`Engine`. Lines already complete
    in ``out`` are skipped. ``progress``: a tqdm bar on stderr (None: only on a terminal).
    ``on_entry`` is called with each new manifest entry. Bad lines become ``error`` entries
    and are reported on stderr; the batch goes on. ``fmt`` forces the script's format
    (:data:`controllers.dialogue.FORMATS`), ``cast`` is a cast mapping file (script speaker ->
    character); without one every speaker gets its own built-in character. ``auto``: a line
    without any emotion (no cell, cue or style) takes the one its own words suggest.
    """
    from tqdm import tqdm

    from controllers.numbers import check_seed
    from synth.atomic import check_output

    check_output(out, "folder", label="out")  # bad input is refused before any work
    check_seed(options.seed)
    if isinstance(engine, str):
        engine = make_engine(engine, jobs, address)
    out = Path(out).absolute()  # (workers elsewhere, or in another folder, write here too)
    lines = load_lines(script, fmt, cast, auto)

    with _exclusive(out):
        shutil.rmtree(out / PARTIAL_DIR, ignore_errors=True)  # left by an interrupted run
        remove_stale_temporaries(out / MANIFEST_NAME)  # (a rewrite that a SIGKILL cut short)
        manifest = _Manifest(out / MANIFEST_NAME)
        todo: list[int] = []
        for i, line in enumerate(lines):
            if line.error:
                manifest.entries[i] = manifest_entry(line, status="error", error=line.error,
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
