"""Training a denoiser that predicts the clean sample, as done for :mod:`synth.prosody` and
:mod:`synth.voice` (``make train-prosody``, ``make train-voice``).

One step (:func:`noised`, :func:`masked_mse`): noise the clean normalised offsets ``x0`` at a
random DDPM timestep, hide the category of a share of rows ("unknown", so that the VAD point alone
is learned too), jitter the VAD point, and score the denoiser's clean estimate with a squared error
weighted by the listeners' recognition rate and masked where the measurement is missing.
:func:`fit_denoiser` runs those steps with PyTorch Lightning on the CPU: AdamW with a
one-cycle learning rate. Each model keeps its batch layout and its loss in its own ``train.py``,
whose command line is :func:`train_arguments`.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

if TYPE_CHECKING:
    import torch
    from diffusers import DDPMScheduler

#: ``loss(denoiser, batch) -> (loss, batch_size)`` of one training step.
TrainingLoss = Callable[["torch.nn.Module", object], "tuple[torch.Tensor, int]"]


def training_scheduler(num_train_timesteps: int) -> DDPMScheduler:
    """The DDPM scheduler both models train with: cosine noise schedule, clean-sample
    prediction, no clipping (offsets are normalised, not bounded)."""
    from diffusers import DDPMScheduler

    return DDPMScheduler(num_train_timesteps=num_train_timesteps,
                         beta_schedule="squaredcos_cap_v2", prediction_type="sample",
                         clip_sample=False)


def robust_scale(values: np.ndarray, floor: float) -> float:
    """Scale of one feature's emotional offsets: the MAD (as a standard deviation), at least a
    quarter of the standard deviation and ``floor`` (NaNs ignored)."""
    values = values[np.isfinite(values)]
    mad = 1.4826 * np.median(np.abs(values - np.median(values)))
    return float(max(mad, 0.25 * np.std(values), floor))


def noised(scheduler: DDPMScheduler, x0: torch.Tensor, vad: torch.Tensor,
           category: torch.Tensor, unknown: int, category_dropout: float, vad_jitter: float
           ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The denoiser's inputs for one training step.

    Parameters
    ----------
    scheduler : the training scheduler (:func:`training_scheduler`).
    x0 : (b, ...) clean normalised offsets, batch first.
    vad : (b, 3) VAD point of each row.
    category : (b,) long category index of each row.
    unknown : index of the "unknown" category.
    category_dropout : share of rows whose category is replaced by ``unknown``.
    vad_jitter : standard deviation of the noise added to ``vad``.

    Returns
    -------
    (noisy (b, ...) like ``x0``, timestep (b,) long, category (b,), vad (b, 3)).
    """
    import torch

    b = x0.shape[0]
    noise = torch.randn_like(x0)
    t = torch.randint(0, scheduler.config.num_train_timesteps, (b,))
    noisy = scheduler.add_noise(x0, noise, t)
    category = torch.where(torch.rand(b) < category_dropout,
                           torch.full_like(category, unknown), category)
    vad = vad + vad_jitter * torch.randn_like(vad)
    return noisy, t, category, vad


def masked_mse(predicted: torch.Tensor, x0: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """Weighted squared error ``sum(w (predicted - x0)^2) / sum(w)`` (the denominator at least 1);
    ``weight`` broadcasts to ``x0`` and is 0 where the measurement is missing."""
    return (weight * (predicted - x0) ** 2).sum() / weight.sum().clamp(min=1.0)


def fit_denoiser(denoiser: torch.nn.Module, loss: TrainingLoss, data, epochs: int,
                 batch_size: int, learning_rate: float, collate_fn: Callable | None = None,
                 progress: bool = True) -> torch.nn.Module:
    """Train ``denoiser`` in place on ``data`` (a map-style dataset) and return it in eval mode.

    ``loss`` scores one batch (:data:`TrainingLoss`); ``collate_fn`` builds a batch (default:
    PyTorch's). AdamW (weight decay 1e-4) with a one-cycle schedule: from ``learning_rate / 25``
    up to ``learning_rate`` over the first 5 % of the steps, then cosine-annealed to
    ``learning_rate / 500``; shuffled batches, CPU. Seed the run
    (``pytorch_lightning.seed_everything``) before building the denoiser.
    """
    import pytorch_lightning as pl
    import torch
    from torch.utils.data import DataLoader

    class Module(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.denoiser = denoiser

        def training_step(self, batch, _):
            value, size = loss(self.denoiser, batch)
            self.log("loss", value, prog_bar=True, batch_size=size)
            return value

        def configure_optimizers(self):
            optimizer = torch.optim.AdamW(self.parameters(), lr=learning_rate, weight_decay=1e-4)
            steps = epochs * int(np.ceil(len(data) / batch_size))
            schedule = torch.optim.lr_scheduler.OneCycleLR(
                optimizer, max_lr=learning_rate, total_steps=steps, pct_start=0.05,
                final_div_factor=20.0)
            return [optimizer], [{"scheduler": schedule, "interval": "step"}]

    loader = DataLoader(data, batch_size=batch_size, shuffle=True, collate_fn=collate_fn,
                        num_workers=0)
    trainer = pl.Trainer(max_epochs=epochs, accelerator="cpu", devices=1, logger=False,
                         enable_checkpointing=False, enable_model_summary=False,
                         enable_progress_bar=progress, log_every_n_steps=10)
    trainer.fit(Module(), loader)
    return denoiser.eval()


def train_arguments(argv: Sequence[str] | None, prog: str, description: str, epochs: int,
                    folder: str) -> argparse.Namespace:
    """The command line of a model's training script (``--epochs N``, ``--holdout 3 16``,
    ``--no-validate``, ``--out DIR``); ``folder`` is the asset folder it writes by default."""
    from controllers.assets import asset_path

    parser = argparse.ArgumentParser(prog=prog, description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=epochs)
    parser.add_argument("--holdout", type=int, nargs="*", default=[3, 16],
                        help="EmoDB speakers held out for validation (default: 3 16, a man and "
                             "a woman)")
    parser.add_argument("--no-validate", action="store_true", help="skip the held-out run")
    parser.add_argument("--out", default=str(asset_path(folder)),
                        help=f"where to write the model (default: assets/{folder})")
    return parser.parse_args(argv)
