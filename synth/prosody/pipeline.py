"""The sampler: DDIM over the denoiser, with classifier-free guidance away from neutral.

Guidance contrasts the emotion's clean estimate with the *neutral* estimate of the same utterance
(the model was trained on neutral readings paired with themselves, whose offsets are zero):

    x0 = x0_neutral + w * (x0_emotion - x0_neutral)

at every DDIM step, so ``w = 0`` reads the line neutrally, ``w = 1`` samples the emotion as
learned and ``w > 1`` exaggerates it. ``w`` is given per syllable (a line whose emotion changes is
one sequence). Like all classifier-free guidance its effect compounds over the steps (``w = 0.5``
gives about 15 % of the F0 shift of ``w = 1``, ``w = 1.25`` about 150 %), so the wrapper
(:mod:`synth.prosody.diffusion`) applies a target's intensity as a linear scale on the guided
sample and keeps ``w`` for exaggeration. The initial noise comes from a seeded generator: same
seed, same take; another seed, another take.
"""

from __future__ import annotations

import torch

from synth.diffusion.sampling import GuidedDDIMPipeline


class ProsodyDiffusionPipeline(GuidedDDIMPipeline):
    """Samples normalised prosody offsets for one utterance with a trained
    :class:`~synth.prosody.denoiser.ProsodyDenoiser` (parameters: :class:`GuidedDDIMPipeline`).
    """

    @torch.no_grad()
    def __call__(self, context: torch.Tensor, vad: torch.Tensor, category: torch.Tensor,
                 intensity: torch.Tensor, guidance: torch.Tensor, num_inference_steps: int = 20,
                 generator: torch.Generator | None = None,
                 noise_scale: float = 1.0) -> torch.Tensor:
        """Sample offsets.

        Parameters
        ----------
        context : (n, n_context) normalised neutral context of the n syllables.
        vad : (n, 3) emotion of each syllable (valence, arousal, dominance in [-1, 1]).
        category : (n,) long category index of each syllable.
        intensity : (n,) float intensity input of each syllable.
        guidance : (n,) float guidance weight ``w`` of each syllable (0 = neutral).
        num_inference_steps : DDIM steps.
        generator : seeds the initial noise.
        noise_scale : factor on the initial noise (1.0 samples the learned spread).

        Returns
        -------
        (n, n_features) float32 normalised offsets.
        """
        n = context.shape[0]
        n_features = self.denoiser.config.n_features
        scheduler = self.ddim(num_inference_steps)
        sample = torch.randn((1, n, n_features), generator=generator) * noise_scale
        sample = sample * scheduler.init_noise_sigma

        both_context = context[None].expand(2, -1, -1)
        both_vad = torch.stack([torch.zeros_like(vad), vad])
        both_category = torch.stack([torch.full_like(category, self.neutral_category), category])
        both_intensity = torch.stack([torch.zeros_like(intensity), intensity])

        def predict(sample: torch.Tensor, t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            predicted = self.denoiser(sample.expand(2, -1, -1), t.repeat(2), both_context, both_vad,
                                      both_category, both_intensity)
            return predicted[0:1], predicted[1:2]

        return self.guided_ddim(scheduler, sample, guidance[None, :, None], predict)[0]
