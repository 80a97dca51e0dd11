"""Write files so that an interrupted run never leaves a half-written file under its final name.

:func:`check_output` is the one check of an output path (a file or a folder) that every command
and API entry point runs before any work: it refuses, with an :class:`InputError`, a path whose
parent is a regular file, a folder that is an existing file (or the reverse), and a place where
nothing can be written, leaving nothing behind.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import signal
import tempfile
import threading
from pathlib import Path
from typing import Iterator, Literal

from controllers.errors import InputError

#: errno values of a destination that cannot be written: bad input, not an internal failure.
_UNWRITABLE = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT, errno.ENOTDIR,
               errno.EISDIR, errno.EEXIST, errno.ENAMETOOLONG, errno.ELOOP, errno.EINVAL}


def _shown(path) -> str:
    """``path`` for a one-line message (the middle of a very long one elided)."""
    text = os.fspath(path)
    return text if len(text) <= 120 else f"{text[:60]}...{text[-40:]} ({len(text)} characters)"


def _unwritable(path: Path, exc: OSError, label: str) -> InputError:
    return InputError(f"{label} {_shown(path)}: cannot write there ({exc.strerror or exc})")


def check_output(path: str | os.PathLike, kind: Literal["file", "folder"] = "folder",
                 label: str = "--out") -> Path:
    """``path`` as a Path once it is sure a ``kind`` can be written there; else InputError.

    ``kind="folder"``: ``path`` is a folder (made later when missing); ``"file"``: a file whose
    folder is made later when missing. Missing folders are created to probe that they can be,
    then removed again, so a refused or later failing command leaves nothing behind. ``label``
    names the argument in the message (``--out``, ``out=``).
    """
    if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)):
        raise InputError(f"{label}: give a path, not {type(path).__name__}")
    text = os.fspath(path)
    if not text.strip():
        raise InputError(f"{label} is empty; give a {kind} path")
    if "\0" in text:
        raise InputError(f"{label} {text!r}: a path cannot contain a NUL character")
    path = Path(text)
    try:
        return _check_output(path, kind, label)
    except OSError as exc:  # e.g. a name too long to even look up
        raise _unwritable(path, exc, label) from None


def _check_output(path: Path, kind: str, label: str) -> Path:
    if kind == "folder" and path.exists() and not path.is_dir():
        raise InputError(f"{label} {_shown(path)} is an existing file; give a folder (new or existing)")
    if kind == "file" and path.is_dir():
        raise InputError(f"{label} {_shown(path)} is a folder; give a file name")
    folder = path if kind == "folder" else path.parent
    missing: list[Path] = []
    existing = folder
    while not existing.exists():
        if existing.is_symlink():
            raise InputError(f"{label} {_shown(path)}: {existing} is a broken link")
        missing.append(existing)
        if existing.parent == existing:
            break
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        raise InputError(f"{label} {_shown(path)}: {existing} is a file, so no folder can be made "
                         "under it")
    created: list[Path] = []
    try:
        for d in reversed(missing):
            d.mkdir()
            created.append(d)
        fd, probe = tempfile.mkstemp(prefix=".probe.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise _unwritable(path, exc, label) from None
    finally:
        for d in reversed(created):
            with contextlib.suppress(OSError):
                d.rmdir()
    return path


def _temporary_affixes(path: Path) -> tuple[str, str]:
    """(prefix, suffix) of :func:`atomic_path`'s temporary files for ``path``."""
    return f".{path.stem}.", f".tmp{path.suffix}"


def remove_stale_temporaries(path: str | Path) -> None:
    """Delete temporary files that writes of ``path`` left behind when their process was killed
    outright (SIGKILL, power loss). Call it only when no other writer of ``path`` is running."""
    path = Path(path)
    prefix, suffix = _temporary_affixes(path)
    for stale in path.parent.glob(f"{glob.escape(prefix)}*{glob.escape(suffix)}"):
        stale.unlink(missing_ok=True)


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold back Ctrl-C (SIGINT) on the main thread for the block; it is raised when the block
    ends. Elsewhere (another thread, where Python never raises it) a plain block."""
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is None):  # (a handler set outside Python)
        yield
        return
    held: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if held:
            if callable(previous):
                previous(signal.SIGINT, None)
            elif previous == signal.SIG_DFL:
                os.kill(os.getpid(), signal.SIGINT)


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it to ``path``.

    The temporary name keeps the suffix (``take.wav`` -> ``.take.XXXX.tmp.wav``) so that writers
    which infer the format from the suffix (soundfile, imageio) still work. On an exception the
    temporary file is removed and nothing appears under ``path``; a Ctrl-C between making the
    temporary file and taking charge of it waits until it is in charge (a batch interrupted while
    it rewrote its manifest left a ``.manifest.*.tmp.json`` behind).
    """
    path = Path(path)
    tmp_path: Path | None = None
    try:
        with _interrupts_deferred():  # (a held Ctrl-C is raised at its end, inside this try)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                if path.is_dir():
                    raise IsADirectoryError(errno.EISDIR, "a folder has that name", str(path))
                prefix, suffix = _temporary_affixes(path)
                fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=path.parent)
            except OSError as exc:
                if exc.errno in _UNWRITABLE:
                    raise _unwritable(path, exc, "output") from None
                raise
            tmp_path = Path(tmp)
            os.close(fd)
        # mkstemp creates 0600; give the file the permissions a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        yield tmp_path
        os.replace(tmp_path, path)
    except BaseException:
        if tmp_path is not None:
            with contextlib.suppress(FileNotFoundError):
                tmp_path.unlink()
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
