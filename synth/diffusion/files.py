"""How a diffusion model is stored: ``config.json``, ``denoiser/`` and ``scheduler/`` in a folder.

The denoiser and the (training) scheduler are saved with diffusers' ``save_pretrained``, and the
denoiser is exported to ``denoiser/model.onnx`` beside its weights; the model's own config is a
dataclass written as JSON (:class:`JsonConfig`). Loading reads the ONNX export and the
scheduler's config only: sampling needs neither torch nor diffusers
(:mod:`synth.diffusion.sampling`).
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
    """Write ``config.json``, ``denoiser/`` and ``scheduler/`` into ``folder`` (created).

    A PyTorch denoiser (training) is saved with ``save_pretrained`` and exported to
    ``denoiser/model.onnx`` (:func:`synth.diffusion.export.export_onnx`), which sampling runs; a
    loaded model (:class:`~synth.diffusion.runtime.OnnxDenoiser`) has its ``denoiser/`` files
    copied.
    """
    import shutil

    from synth.atomic import atomic_write_text
    from synth.diffusion.runtime import OnnxDenoiser

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    denoiser = pipeline.denoiser
    if isinstance(denoiser, OnnxDenoiser):
        shutil.copytree(denoiser.folder, folder / "denoiser", dirs_exist_ok=True)
    else:
        from synth.diffusion.export import export_onnx

        denoiser.save_pretrained(folder / "denoiser")
        export_onnx(denoiser, folder / "denoiser")
    if hasattr(pipeline.scheduler, "save_pretrained"):
        pipeline.scheduler.save_pretrained(folder / "scheduler")
    else:
        atomic_write_text(folder / "scheduler" / "scheduler_config.json",
                          json.dumps(dict(pipeline.scheduler), indent=2, sort_keys=True))
    config.save(folder / "config.json")


def load_parts(folder: str | Path, config_class: type[Config], name: str, *legacy):
    """``(denoiser, scheduler config, config)`` stored in ``folder`` by :func:`save_model`.

    The denoiser is its ONNX export (:class:`~synth.diffusion.runtime.OnnxDenoiser`: neither
    torch nor diffusers is imported); only when the export is missing or older than the weights
    (a model saved before exports existed) is the PyTorch module loaded instead. The scheduler is
    its config (``scheduler/scheduler_config.json``) as a dict. ``name`` ("prosody", "voice")
    names the model, and its ``make train-<name>`` target, in the error raised when the folder
    holds no trained model. The older form ``(folder, denoiser_class, config_class, name)`` is
    accepted too (the class is then used for the fallback only).
    """
    from synth.diffusion.runtime import ONNX_FILE, OnnxDenoiser, weights_hash

    denoiser_class = None  # from the folder's config.json unless given (the older form)
    if legacy:  # (folder, denoiser_class, config_class, name)
        denoiser_class, config_class, name = config_class, name, legacy[0]
    path = Path(folder)
    if not (path / "config.json").exists():
        raise FileNotFoundError(f"no trained {name} model in {path}; run `make train-{name}`")
    scheduler = json.loads((path / "scheduler" / "scheduler_config.json").read_text())
    config = config_class.load(path / "config.json")
    if (path / "denoiser" / ONNX_FILE).is_file():
        denoiser = OnnxDenoiser(path / "denoiser")
        if denoiser.exported_from == weights_hash(path / "denoiser"):
            return denoiser, scheduler, config
    if denoiser_class is None:  # the fix: python -m synth.diffusion.export FOLDER
        from synth.diffusion.export import denoiser_class as class_named_in

        denoiser_class = class_named_in(path / "denoiser")
    denoiser = denoiser_class.from_pretrained(path / "denoiser", low_cpu_mem_usage=False)
    return denoiser, scheduler, config

