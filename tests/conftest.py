"""Shared test fixtures: paths to ../shared data (skip cleanly when absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("PYOPENGL_PLATFORM", "osmesa")

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
