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

from synth.diffusion.sampling import GuidedDDIMPipeline


class VoiceDiffusionPipeline(GuidedDDIMPipeline):
    """Samples normalised voice deltas, one per emotion stretch, with a trained
    :class:`~synth.voice.denoiser.VoiceDenoiser` (parameters: :class:`GuidedDDIMPipeline`).
    """

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

        def predict(sample: torch.Tensor, t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            predicted = self.denoiser(sample.repeat(2, 1), t.repeat(2 * m), both_vad,
                                      both_category, both_intensity)
            return predicted[:m], predicted[m:]

        return self.guided_ddim(scheduler, sample, guidance[:, None], predict)
