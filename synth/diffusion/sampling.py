"""Classifier-free guided DDIM sampling, as used by :mod:`synth.prosody` and :mod:`synth.voice`.

At every DDIM step the clean estimate is

    x0 = x0_neutral + w * (x0_emotion - x0_neutral)

(the models were trained on neutral recordings paired with themselves, whose offsets are zero),
so ``w = 0`` keeps the neutral reading, ``w = 1`` samples the emotion as learned and ``w > 1``
exaggerates it. Each model's pipeline lays out its batch and calls its denoiser; the scheduler,
the guided step and the seeded, single-threaded call are here.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import torch
from diffusers import DDIMScheduler, SchedulerMixin

#: ``predict(sample, t) -> (neutral, emotional)``: the denoiser's two clean estimates of
#: ``sample`` at timestep ``t``, each shaped like ``sample``.
GuidedPrediction = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


class GuidedDDIMPipeline:
    """Holds a trained denoiser and its training scheduler; subclasses add ``__call__``.

    Parameters
    ----------
    denoiser : the trained denoiser (a ``torch.nn.Module``), put in eval mode.
    scheduler : any diffusers scheduler; its config is turned into a
        :class:`~diffusers.DDIMScheduler` (DDIM needs few steps and is deterministic given the
        initial noise).
    neutral_category : index of the "neutral" category, used for the guidance baseline.
    """

    def __init__(self, denoiser: torch.nn.Module, scheduler: SchedulerMixin,
                 neutral_category: int):
        self.denoiser = denoiser.eval()
        self.scheduler = scheduler
        self.neutral_category = neutral_category
        self._ddim: dict[int, DDIMScheduler] = {}

    def ddim(self, num_inference_steps: int) -> DDIMScheduler:
        """A DDIM scheduler with the training scheduler's config and its timesteps set, made
        once per step count (DDIM's ``step`` reads the scheduler and never changes it)."""
        if num_inference_steps not in self._ddim:
            scheduler = DDIMScheduler.from_config(self.scheduler.config)
            scheduler.set_timesteps(num_inference_steps)
            self._ddim[num_inference_steps] = scheduler
        return self._ddim[num_inference_steps]

    @staticmethod
    def guided_ddim(scheduler: DDIMScheduler, sample: torch.Tensor, weight: torch.Tensor,
                    predict: GuidedPrediction) -> torch.Tensor:
        """Denoise ``sample`` over the scheduler's timesteps with guidance ``weight``.

        Parameters
        ----------
        scheduler : the DDIM scheduler, timesteps set (:meth:`ddim`).
        sample : the initial noise, any shape (already scaled by ``init_noise_sigma``).
        weight : guidance weight ``w``, broadcastable to ``sample`` (0 = neutral).
        predict : the two clean estimates at a step (:data:`GuidedPrediction`).

        Returns
        -------
        The denoised sample, shaped like ``sample``.
        """
        for t in scheduler.timesteps:
            neutral, emotional = predict(sample, t)
            guided = neutral + weight * (emotional - neutral)
            sample = scheduler.step(guided, t, sample, eta=0.0).prev_sample
        return sample


def sample_seeded(pipeline: GuidedDDIMPipeline, inputs: Sequence[np.ndarray], seed: int | None,
                  num_inference_steps: int, noise_scale: float) -> np.ndarray:
    """``pipeline(*inputs)`` as numpy, its initial noise drawn from ``seed`` (a fresh random one
    when ``None``), on one thread and without autograd.

    ``inputs`` are the pipeline's positional inputs as numpy arrays (each turned into a tensor
    that shares its memory); returns the pipeline's sample as a float32 array.
    """
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % 2**63)
    generator = torch.Generator().manual_seed(int(seed))
    # One thread: the networks are tiny, and on a busy machine thread hand-offs cost ~100x.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with torch.inference_mode():
            return pipeline(*(torch.from_numpy(x) for x in inputs),
                            num_inference_steps=num_inference_steps, generator=generator,
                            noise_scale=noise_scale).numpy()
    finally:
        torch.set_num_threads(threads)
