"""One line of a batch: how it is rendered, and its manifest entry.

What every batch engine shares (:mod:`studio.batch`'s run loop, the local worker pool of
:mod:`studio.batch_local`, the Ray actors of :mod:`studio.batch_ray`): the render options, a
worker's start-up, rendering one script line into its folder through a temporary folder, and
the manifest entry that says how it went. This module imports no engine and no engine imports
:mod:`studio.batch`, so the engines and the run loop never import each other.

A line's take goes to ``DIR/<folder>`` where ``folder`` is the line's id, or the stem of its
``Filename`` column in a VO spreadsheet (:attr:`controllers.script.ScriptLine.folder`).
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from controllers.errors import InputError
from studio.take import read_summary

PARTIAL_DIR = ".partial"

#: Called by an engine once per rendered line: the line's index in the script, its manifest entry.
Finish = Callable[[int, dict], None]


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


def line_folder(line) -> str:
    """The folder (under the batch's DIR) of ``line``'s take."""
    return getattr(line, "folder", None) or line.id


def line_key(line) -> dict:
    """What a take is made from: a finished take is reused only when its key is unchanged."""
    character = getattr(line, "character", None)
    return {"id": line.id, "text": line.text, "emotion": line.emotion,
            "speaker": getattr(line, "speaker", None),
            "character": character.name if character is not None else None,
            "plan": line.plan.to_dict()}


def manifest_entry(line, **fields) -> dict:
    """A manifest entry of ``line`` (id, text, emotion, speaker, character) with ``fields``."""
    character = getattr(line, "character", None)
    entry = {"id": line.id, "text": line.text, "emotion": line.emotion,
             "speaker": getattr(line, "speaker", None),
             "character": character.name if character is not None else None}
    folder = line_folder(line)
    if folder != line.id:
        entry["folder"] = folder
    entry.update(fields)
    return entry


def failed_entry(line, error: str) -> dict:
    """The manifest entry of a line whose render failed for a reason not its own (a worker
    that died, ...): not bad input, so the next run renders it again."""
    return manifest_entry(line, status="error", error=error, bad_input=False, files=[])


def done_fields(line, record: dict) -> dict:
    """Manifest fields of a complete take, from its ``take.json`` record."""
    verdict = record.get("verdict") or {}
    folder = line_folder(line)
    return {
        "status": "done",
        "error": None,
        "files": [f"{folder}/{name}" for name in record.get("files", [])],
        "target": record.get("target"),
        "duration": record.get("duration"),
        "timings": record.get("timings"),
        "verdict": verdict,
    }


def finished_entry(line, out: Path, options: RenderOptions) -> dict | None:
    """The manifest entry of a line already rendered from the same key and options, or None."""
    record = read_summary(out / line_folder(line))
    if (record is None or record.get("line") != line_key(line)
            or record.get("options") != asdict(options)):
        return None
    return manifest_entry(line, **done_fields(line, record))


# -- worker side -------------------------------------------------------------------------------

def init_worker(threads: int, prosody: str) -> None:
    """Worker start-up: leave Ctrl-C to the parent, limit threads, load the models once."""
    import signal
    import sys
    import threading

    if threading.current_thread() is threading.main_thread():  # (signals: main thread only)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    # the workers share the cores: each gets its part (torch, OpenMP); the voice keeps its own
    # two threads (synth.tts.voice.THREADS: another count would change the samples)
    os.environ["OMP_NUM_THREADS"] = str(threads)
    torch = sys.modules.get("torch")  # not imported for this: the run-time path runs without it
    if torch is not None:
        torch.set_num_threads(threads)
    from studio.pipeline import default_studio

    default_studio().load(prosody)


def render_line(line, out: Path, options: RenderOptions) -> dict:
    """Render one line into ``out/<folder>`` (via a temporary folder) and return its manifest
    entry. ``line`` is a :class:`controllers.script.ScriptLine`: its plan is performed by its
    :class:`~controllers.character.Character` (None: the studio's default).

    Never raises for a bad line or a failed render: the entry's ``status`` is ``error`` and
    ``error`` says why.
    """
    from studio.pipeline import default_studio

    entry = manifest_entry(line)
    folder = line_folder(line)
    partial_root = out / PARTIAL_DIR
    partial_root.mkdir(parents=True, exist_ok=True)
    tmp = partial_root / f"{folder}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
    tmp.mkdir()  # (not mkdtemp: the take keeps the user's usual permissions)
    try:
        take = default_studio().render(line.text, line.plan, out=tmp, seed=options.seed,
                                       loop=options.loop, preview=options.preview,
                                       prosody=options.prosody,
                                       character=getattr(line, "character", None))
        take.write_summary(tmp, extra={"line": line_key(line), "line_id": line.id,
                                       "speaker": getattr(line, "speaker", None),
                                       "options": asdict(options)})
        _move_into_place(tmp, out / folder)
        record = read_summary(out / folder)
        if record is None:
            raise RuntimeError(f"take {folder} is incomplete after rendering")
        entry.update(done_fields(line, record))
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
