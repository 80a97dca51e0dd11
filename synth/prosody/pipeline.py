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

import numpy as np

from synth.diffusion.sampling import GuidedDDIMPipeline


class ProsodyDiffusionPipeline(GuidedDDIMPipeline):
    """Samples normalised prosody offsets for one utterance with a trained
    :class:`~synth.prosody.denoiser.ProsodyDenoiser` (parameters: :class:`GuidedDDIMPipeline`).
    """

    def noise_shape(self, context: np.ndarray, *_) -> tuple[int, int, int]:
        """Shape of the initial noise for ``context`` (n syllables): (1, n, n_features)."""
        return (1, context.shape[0], self.n_features)

    def __call__(self, context: np.ndarray, vad: np.ndarray, category: np.ndarray,
                 intensity: np.ndarray, guidance: np.ndarray, *, noise: np.ndarray,
                 num_inference_steps: int = 20, noise_scale: float = 1.0) -> np.ndarray:
        """Sample offsets.

        Parameters
        ----------
        context : (n, n_context) float32 normalised neutral context of the n syllables.
        vad : (n, 3) float32 emotion of each syllable (valence, arousal, dominance in [-1, 1]).
        category : (n,) int64 category index of each syllable.
        intensity : (n,) float32 intensity input of each syllable.
        guidance : (n,) float32 guidance weight ``w`` of each syllable (0 = neutral).
        noise : (1, n, n_features) float32 standard normal initial noise (:meth:`noise_shape`;
            :func:`~synth.diffusion.sampling.sample_seeded` draws it from a seed).
        num_inference_steps : DDIM steps.
        noise_scale : factor on the initial noise (1.0 samples the learned spread).

        Returns
        -------
        (n, n_features) float32 normalised offsets.
        """
        schedule = self.ddim(num_inference_steps)
        sample = np.asarray(noise, np.float32) * np.float32(noise_scale)
        sample = sample * np.float32(schedule.init_noise_sigma)

        context = np.asarray(context, np.float32)
        vad = np.asarray(vad, np.float32)
        category = np.asarray(category, np.int64)
        intensity = np.asarray(intensity, np.float32)
        both_context = np.stack([context, context])
        both_vad = np.stack([np.zeros_like(vad), vad])
        both_category = np.stack([np.full_like(category, self.neutral_category), category])
        both_intensity = np.stack([np.zeros_like(intensity), intensity])

        def predict(sample: np.ndarray, t: int) -> tuple[np.ndarray, np.ndarray]:
            predicted = self.run(np.concatenate([sample, sample]), np.full(2, t, np.int64),
                                 both_context, both_vad, both_category, both_intensity)
            return predicted[0:1], predicted[1:2]

        weight = np.asarray(guidance, np.float32)[None, :, None]
        return self.guided_ddim(schedule, sample, weight, predict)[0]
