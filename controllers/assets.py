"""Where the shipped model files live (``assets/`` at the repository root).

``EMOSTUDIO_ASSETS`` overrides the folder. Nothing here downloads anything.
"""

import os
from pathlib import Path


def assets_dir() -> Path:
    """The folder holding shipped weights and tables."""
    env = os.environ.get("EMOSTUDIO_ASSETS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "assets"


def asset_path(*parts: str) -> Path:
    """Path of one shipped file, e.g. ``asset_path("text_vad", "model.pt")``."""
    return assets_dir().joinpath(*parts)
