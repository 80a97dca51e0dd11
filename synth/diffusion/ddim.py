"""Deterministic DDIM steps (``eta = 0``) in numpy, as diffusers' ``DDIMScheduler`` takes them.

The models are trained with a diffusers scheduler whose config is stored in ``scheduler/``
(:mod:`synth.diffusion.files`); sampling reads that config here instead of importing diffusers
(and torch). Every quantity is float32 as in diffusers, except the cumulative product of the
alphas, which PyTorch accumulates in double precision on the CPU; for the shipped (cosine)
schedule the alphas equal diffusers' bit for bit, the linear ones may differ in the last bit.

Supported config: ``beta_schedule`` linear, scaled_linear or squaredcos_cap_v2 (or
``trained_betas``); ``prediction_type`` epsilon, sample or v_prediction; ``clip_sample`` with
``clip_sample_range``; ``set_alpha_to_one`` (default True, as diffusers' DDIM); ``steps_offset``;
``timestep_spacing`` leading, trailing or linspace. Dynamic thresholding and zero-terminal-SNR
rescaling are refused (no model here uses them).
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np


def _cosine_betas(num_train_timesteps: int, max_beta: float = 0.999) -> np.ndarray:
    """The "squaredcos_cap_v2" (Glide cosine) betas, as diffusers' ``betas_for_alpha_bar``."""

    def alpha_bar(t: float) -> float:
        return math.cos((t + 0.008) / 1.008 * math.pi / 2) ** 2

    n = num_train_timesteps
    return np.array([min(1 - alpha_bar((i + 1) / n) / alpha_bar(i / n), max_beta)
                     for i in range(n)], np.float32)


def _betas(config: Mapping[str, Any]) -> np.ndarray:
    n = int(config.get("num_train_timesteps", 1000))
    start, end = float(config.get("beta_start", 0.0001)), float(config.get("beta_end", 0.02))
    schedule = config.get("beta_schedule", "linear")
    if config.get("trained_betas") is not None:
        return np.asarray(config["trained_betas"], np.float32)
    if schedule == "linear":
        return np.linspace(start, end, n, dtype=np.float32)
    if schedule == "scaled_linear":
        return np.linspace(start ** 0.5, end ** 0.5, n, dtype=np.float32) ** 2
    if schedule == "squaredcos_cap_v2":
        return _cosine_betas(n)
    raise ValueError(f"beta_schedule {schedule!r} is not supported")


class DDIMSchedule:
    """The timesteps and the update of deterministic DDIM for one step count.

    Parameters
    ----------
    config : a diffusers scheduler config (``scheduler_config.json`` as a dict; keys diffusers
        does not use here are ignored).
    num_inference_steps : how many denoising steps.
    """

    #: Standard deviation of the initial noise (DDIM: 1).
    init_noise_sigma = 1.0

    def __init__(self, config: Mapping[str, Any], num_inference_steps: int):
        if config.get("thresholding") or config.get("rescale_betas_zero_snr"):
            raise ValueError("dynamic thresholding and zero-SNR rescaling are not supported")
        self.prediction_type = config.get("prediction_type", "epsilon")
        if self.prediction_type not in ("epsilon", "sample", "v_prediction"):
            raise ValueError(f"prediction_type {self.prediction_type!r} is not supported")
        self.clip_range = (float(config.get("clip_sample_range", 1.0))
                           if config.get("clip_sample", True) else None)
        n_train = int(config.get("num_train_timesteps", 1000))
        if not 0 < num_inference_steps <= n_train:
            raise ValueError(f"num_inference_steps {num_inference_steps} must be in 1..{n_train}")
        alphas = (1.0 - _betas(config)).astype(np.float32)
        self.alphas_cumprod = np.cumprod(alphas.astype(np.float64)).astype(np.float32)
        """(num_train_timesteps,) float32 cumulative product of the alphas."""
        self.final_alpha_cumprod = (np.float32(1.0) if config.get("set_alpha_to_one", True)
                                    else self.alphas_cumprod[0])
        self.step_size = n_train // num_inference_steps
        """Training timesteps between two DDIM steps (the previous step is ``t - step_size``)."""
        spacing = config.get("timestep_spacing", "leading")
        if spacing == "leading":
            timesteps = (np.arange(num_inference_steps) * self.step_size).round()[::-1]
            timesteps = timesteps.astype(np.int64) + int(config.get("steps_offset", 0))
        elif spacing == "trailing":
            ratio = n_train / num_inference_steps
            timesteps = np.round(np.arange(n_train, 0, -ratio)).astype(np.int64) - 1
        elif spacing == "linspace":
            timesteps = np.linspace(0, n_train - 1, num_inference_steps).round()[::-1]
            timesteps = timesteps.astype(np.int64)
        else:
            raise ValueError(f"timestep_spacing {spacing!r} is not supported")
        self.timesteps = np.ascontiguousarray(timesteps)
        """(num_inference_steps,) int64 training timesteps, from noisiest to clean."""

    def step(self, model_output: np.ndarray, timestep: int, sample: np.ndarray) -> np.ndarray:
        """The sample at the previous timestep (DDIM formula 12, ``eta = 0``), float32 like
        ``sample``; ``model_output`` is the denoiser's output at ``timestep`` (of the config's
        ``prediction_type``)."""
        timestep = int(timestep)
        prev = timestep - self.step_size
        alpha_t = self.alphas_cumprod[timestep]
        alpha_prev = self.alphas_cumprod[prev] if prev >= 0 else self.final_alpha_cumprod
        beta_t = np.float32(1.0) - alpha_t
        if self.prediction_type == "epsilon":
            x0 = (sample - beta_t ** 0.5 * model_output) / alpha_t ** 0.5
            epsilon = model_output
        elif self.prediction_type == "sample":
            x0 = model_output
            epsilon = (sample - alpha_t ** 0.5 * x0) / beta_t ** 0.5
        else:  # v_prediction
            x0 = alpha_t ** 0.5 * sample - beta_t ** 0.5 * model_output
            epsilon = alpha_t ** 0.5 * model_output + beta_t ** 0.5 * sample
        if self.clip_range is not None:
            x0 = np.clip(x0, -self.clip_range, self.clip_range)
        return (alpha_prev ** 0.5 * x0 + (np.float32(1.0) - alpha_prev) ** 0.5 * epsilon).astype(
            np.float32, copy=False)
