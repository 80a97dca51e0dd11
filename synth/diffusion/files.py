"""How a diffusion model is stored: ``config.json``, ``denoiser/`` and ``scheduler/`` in a folder.

The denoiser and the (training) scheduler are saved with diffusers' ``save_pretrained``; the
model's own config is a dataclass written as JSON (:class:`JsonConfig`).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TypeVar

Config = TypeVar("Config", bound="JsonConfig")


class JsonConfig:
    """Mixin for a config dataclass stored as one JSON object (field name -> value)."""

    def save(self, path: Path) -> None:
        """Write the fields to ``path`` as indented JSON (atomically)."""
        from synth.atomic import atomic_write_text

        atomic_write_text(path, json.dumps(asdict(self), indent=1))

    @classmethod
    def load(cls: type[Config], path: Path) -> Config:
        """The config stored at ``path`` by :meth:`save`."""
        return cls(**json.loads(Path(path).read_text()))


def save_model(folder: str | Path, pipeline, config: JsonConfig) -> None:
    """Write ``config.json``, ``denoiser/`` and ``scheduler/`` into ``folder`` (created)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pipeline.denoiser.save_pretrained(folder / "denoiser")
    pipeline.scheduler.save_pretrained(folder / "scheduler")
    config.save(folder / "config.json")


def load_parts(folder: str | Path, denoiser_class, config_class: type[Config], name: str):
    """``(denoiser, scheduler, config)`` stored in ``folder`` by :func:`save_model`.

    ``denoiser_class`` is the model's diffusers ``ModelMixin`` subclass; ``name`` ("prosody",
    "voice") names the model, and its ``make train-<name>`` target, in the error raised when the
    folder holds no trained model.
    """
    from diffusers import DDPMScheduler

    path = Path(folder)
    if not (path / "config.json").exists():
        raise FileNotFoundError(f"no trained {name} model in {path}; run `make train-{name}`")
    denoiser = denoiser_class.from_pretrained(path / "denoiser", low_cpu_mem_usage=False)
    scheduler = DDPMScheduler.from_pretrained(path / "scheduler")
    return denoiser, scheduler, config_class.load(path / "config.json")
