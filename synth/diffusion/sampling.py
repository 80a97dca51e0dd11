"""Classifier-free guided DDIM sampling, as used by :mod:`synth.prosody` and :mod:`synth.voice`.

At every DDIM step the clean estimate is

    x0 = x0_neutral + w * (x0_emotion - x0_neutral)

(the models were trained on neutral recordings paired with themselves, whose offsets are zero),
so ``w = 0`` keeps the neutral reading, ``w = 1`` samples the emotion as learned and ``w > 1``
exaggerates it. Each model's pipeline lays out its batch and calls its denoiser; the schedule,
the guided step and the seeded call are here.

Sampling is numpy throughout: the denoiser runs from its ONNX export in onnxruntime (or, at
training time, as the PyTorch module; :mod:`synth.diffusion.runtime`), the DDIM update is
:class:`~synth.diffusion.ddim.DDIMSchedule`, and the initial noise is PyTorch's ``randn`` for the
seed (:func:`~synth.diffusion.noise.torch_randn`), so a seed gives the take it gave when
sampling ran in PyTorch and diffusers.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import numpy as np

from synth.diffusion.ddim import DDIMSchedule
from synth.diffusion.noise import torch_randn
from synth.diffusion.runtime import as_runner

#: ``predict(sample, t) -> (neutral, emotional)``: the denoiser's two clean estimates of
#: ``sample`` at timestep ``t``, each shaped like ``sample``.
GuidedPrediction = Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]]


def scheduler_config(scheduler) -> dict[str, Any]:
    """A scheduler's config as a plain dict: a diffusers scheduler's ``config`` or a mapping
    (``scheduler_config.json`` as read)."""
    return dict(getattr(scheduler, "config", scheduler))


class GuidedDDIMPipeline:
    """Holds a trained denoiser and its training scheduler; subclasses add ``noise_shape`` and
    ``__call__``.

    Parameters
    ----------
    denoiser : the trained denoiser: an :class:`~synth.diffusion.runtime.OnnxDenoiser` (run time)
        or the PyTorch module (training); either has a ``config`` mapping of hyperparameters.
    scheduler : the training scheduler: a diffusers scheduler or its config as a mapping; its
        config drives deterministic DDIM (few steps, deterministic given the initial noise).
    neutral_category : index of the "neutral" category, used for the guidance baseline.
    """

    def __init__(self, denoiser, scheduler, neutral_category: int):
        self.denoiser = denoiser
        """The denoiser as given (saved by :func:`synth.diffusion.files.save_model`)."""
        self.scheduler = scheduler
        """The training scheduler as given."""
        self.neutral_category = neutral_category
        self.run = as_runner(denoiser)
        """The denoiser as a function of numpy arrays."""
        self._config: Mapping[str, Any] = scheduler_config(scheduler)
        self._ddim: dict[int, DDIMSchedule] = {}

    @property
    def n_features(self) -> int:
        """Features of one sample row (the denoiser's ``n_features``)."""
        return int(self.denoiser.config["n_features"])

    def ddim(self, num_inference_steps: int) -> DDIMSchedule:
        """The DDIM schedule for ``num_inference_steps``, made once per step count."""
        if num_inference_steps not in self._ddim:
            self._ddim[num_inference_steps] = DDIMSchedule(self._config, num_inference_steps)
        return self._ddim[num_inference_steps]

    @staticmethod
    def guided_ddim(schedule: DDIMSchedule, sample: np.ndarray, weight: np.ndarray,
                    predict: GuidedPrediction) -> np.ndarray:
        """Denoise ``sample`` over the schedule's timesteps with guidance ``weight``.

        Parameters
        ----------
        schedule : the DDIM schedule (:meth:`ddim`).
        sample : the initial noise, float32, any shape (already scaled by ``init_noise_sigma``).
        weight : float32 guidance weight ``w``, broadcastable to ``sample`` (0 = neutral).
        predict : the two clean estimates at a step (:data:`GuidedPrediction`).

        Returns
        -------
        The denoised sample, float32, shaped like ``sample``.
        """
        for t in schedule.timesteps:
            neutral, emotional = predict(sample, int(t))
            guided = neutral + weight * (emotional - neutral)
            sample = schedule.step(guided, t, sample)
        return sample


def sample_seeded(pipeline: GuidedDDIMPipeline, inputs: Sequence[np.ndarray], seed: int | None,
                  num_inference_steps: int, noise_scale: float) -> np.ndarray:
    """``pipeline(*inputs)`` with its initial noise drawn from ``seed`` (a fresh random one when
    ``None``) as PyTorch's ``randn`` draws it (:func:`~synth.diffusion.noise.torch_randn`).

    ``inputs`` are the pipeline's positional inputs as numpy arrays; returns the pipeline's
    sample as a float32 array.
    """
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % 2**63)
    noise = torch_randn(pipeline.noise_shape(*inputs), int(seed))
    return np.asarray(pipeline(*inputs, noise=noise, num_inference_steps=num_inference_steps,
                               noise_scale=noise_scale), np.float32)
