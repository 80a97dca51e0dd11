"""Shared test fixtures: ../shared data paths (skip cleanly when absent), the voice, batch scripts."""

from __future__ import annotations

import atexit
import csv
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Sequence

import pytest

os.environ.setdefault("PYOPENGL_PLATFORM", "osmesa")
# the tests' avatars (and those of the CLI processes they start) are cached in a folder of this
# session's own, not in the user's ~/.cache
if "EMOSTUDIO_AVATAR_CACHE" not in os.environ:
    os.environ["EMOSTUDIO_AVATAR_CACHE"] = tempfile.mkdtemp(prefix="emostudio-avatar-")
    atexit.register(shutil.rmtree, os.environ["EMOSTUDIO_AVATAR_CACHE"], ignore_errors=True)

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("EMOSTUDIO_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared (evaluation sentences, EmoDB, EmoBank); skips the test when it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"shared data folder {SHARED} is absent (set EMOSTUDIO_SHARED)")
    return SHARED


@pytest.fixture(scope="session")
def eval_sentences(shared_dir: Path) -> list[str]:
    """The 30 emotionally neutral benchmark sentences."""
    return [s for s in (shared_dir / "eval" / "sentences.txt").read_text().splitlines() if s.strip()]


@pytest.fixture(scope="session")
def emodb(shared_dir: Path) -> Path:
    """../shared/data/emodb (wav/, silb/, lablaut/, labels.csv); skips when it is absent."""
    root = shared_dir / "data" / "emodb"
    if not (root / "labels.csv").is_file():
        pytest.skip(f"EmoDB is absent under {root}")
    return root


@pytest.fixture(scope="session")
def voice():
    """The studio's built-in piper voice (``synth.tts.Voice``, loaded once)."""
    from synth.tts import Voice

    return Voice.load()


@pytest.fixture
def write_script() -> Callable[[Path, Sequence[tuple[str, str, str]]], Path]:
    """``write_script(path, lines)``: writes ``lines`` ((id, text, emotion) rows) as a batch
    script CSV with the header ``id,text,emotion`` and returns ``path``."""

    def write(path: Path, lines: Sequence[tuple[str, str, str]]) -> Path:
        with open(path, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["id", "text", "emotion"])
            writer.writerows(lines)
        return path

    return write


@pytest.fixture
def fresh_python() -> Callable[..., str]:
    """``run(code, timeout=300)``: the standard output of ``code`` run by a new interpreter in
    the repository (what a fresh process imports shows in its ``sys.modules``); fails the test
    when the code fails."""
    import subprocess
    import sys

    def run(code: str, timeout: float = 300) -> str:
        result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                                text=True, timeout=timeout)
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout

    return run

