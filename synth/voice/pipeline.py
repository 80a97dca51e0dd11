"""The sampler: DDIM over the voice denoiser, with classifier-free guidance away from neutral.

As the prosody sampler (:mod:`synth.prosody.pipeline`): at every DDIM step the clean estimate is

    x0 = x0_neutral + w * (x0_emotion - x0_neutral)

(the model was trained on neutral recordings paired with themselves, whose deltas are zero), so
``w = 0`` keeps the neutral voice, ``w = 1`` samples the emotion as learned and ``w > 1``
exaggerates it. The initial noise comes from a seeded generator: same seed, same voice; the
stretches of one line share it.
"""

from __future__ import annotations

import torch
from diffusers import DDIMScheduler, SchedulerMixin

from synth.voice.denoiser import VoiceDenoiser


class VoiceDiffusionPipeline:
    """Samples normalised voice deltas, one per emotion stretch.

    Parameters
    ----------
    denoiser : the trained :class:`VoiceDenoiser`.
    scheduler : any diffusers scheduler; its config is turned into a DDIM scheduler.
    neutral_category : index of the "neutral" category, used for the guidance baseline.
    """

    def __init__(self, denoiser: VoiceDenoiser, scheduler: SchedulerMixin, neutral_category: int):
        self.denoiser = denoiser.eval()
        self.scheduler = scheduler
        self.neutral_category = neutral_category
        self._ddim: dict[int, DDIMScheduler] = {}

    def ddim(self, num_inference_steps: int) -> DDIMScheduler:
        """A DDIM scheduler with the training config and its timesteps set (made once)."""
        if num_inference_steps not in self._ddim:
            scheduler = DDIMScheduler.from_config(self.scheduler.config)
            scheduler.set_timesteps(num_inference_steps)
            self._ddim[num_inference_steps] = scheduler
        return self._ddim[num_inference_steps]

    @torch.no_grad()
    def __call__(self, vad: torch.Tensor, category: torch.Tensor, intensity: torch.Tensor,
                 guidance: torch.Tensor, num_inference_steps: int = 10,
                 generator: torch.Generator | None = None,
                 noise_scale: float = 1.0) -> torch.Tensor:
        """Sample ``m`` deltas.

        Parameters
        ----------
        vad : (m, 3) emotion of each stretch (valence, arousal, dominance in [-1, 1]).
        category : (m,) long category index.
        intensity : (m,) float intensity input.
        guidance : (m,) float guidance weight ``w`` (0 = neutral).
        num_inference_steps : DDIM steps.
        generator : seeds the initial noise.
        noise_scale : factor on the initial noise (1.0 samples the learned spread).

        Returns
        -------
        (m, n_features) float32 normalised deltas.
        """
        m = vad.shape[0]
        n_features = self.denoiser.config.n_features
        scheduler = self.ddim(num_inference_steps)
        # one noise draw for every stretch of the line: one voice whose emotion changes, not
        # another speaker at each change (or at each cross-faded syllable)
        sample = torch.randn((1, n_features), generator=generator).repeat(m, 1) * noise_scale
        sample = sample * scheduler.init_noise_sigma
        both_vad = torch.cat([torch.zeros_like(vad), vad])
        both_category = torch.cat([torch.full_like(category, self.neutral_category), category])
        both_intensity = torch.cat([torch.zeros_like(intensity), intensity])
        weight = guidance[:, None]
        for t in scheduler.timesteps:
            predicted = self.denoiser(sample.repeat(2, 1), t.repeat(2 * m), both_vad,
                                      both_category, both_intensity)
            neutral, emotional = predicted[:m], predicted[m:]
            guided = neutral + weight * (emotional - neutral)
            sample = scheduler.step(guided, t, sample, eta=0.0).prev_sample
        return sample
