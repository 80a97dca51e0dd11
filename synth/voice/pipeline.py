"""The sampler: DDIM over the voice denoiser, with classifier-free guidance away from neutral.

As the prosody sampler (:mod:`synth.prosody.pipeline`): at every DDIM step the clean estimate is

    x0 = x0_neutral + w * (x0_emotion - x0_neutral)

(the model was trained on neutral recordings paired with themselves, whose deltas are zero), so
``w = 0`` keeps the neutral voice, ``w = 1`` samples the emotion as learned and ``w > 1``
exaggerates it. The initial noise comes from a seeded generator: same seed, same voice; the
stretches of one line share it.
"""

from __future__ import annotations

import numpy as np

from synth.diffusion.sampling import GuidedDDIMPipeline


class VoiceDiffusionPipeline(GuidedDDIMPipeline):
    """Samples normalised voice deltas, one per emotion stretch, with a trained
    :class:`~synth.voice.denoiser.VoiceDenoiser` (parameters: :class:`GuidedDDIMPipeline`).
    """

    def noise_shape(self, *_) -> tuple[int, int]:
        """Shape of the initial noise: (1, n_features), one draw that every stretch shares."""
        return (1, self.n_features)

    def __call__(self, vad: np.ndarray, category: np.ndarray, intensity: np.ndarray,
                 guidance: np.ndarray, *, noise: np.ndarray, num_inference_steps: int = 10,
                 noise_scale: float = 1.0) -> np.ndarray:
        """Sample ``m`` deltas.

        Parameters
        ----------
        vad : (m, 3) float32 emotion of each stretch (valence, arousal, dominance in [-1, 1]).
        category : (m,) int64 category index.
        intensity : (m,) float32 intensity input.
        guidance : (m,) float32 guidance weight ``w`` (0 = neutral).
        noise : (1, n_features) float32 standard normal initial noise (:meth:`noise_shape`;
            :func:`~synth.diffusion.sampling.sample_seeded` draws it from a seed).
        num_inference_steps : DDIM steps.
        noise_scale : factor on the initial noise (1.0 samples the learned spread).

        Returns
        -------
        (m, n_features) float32 normalised deltas.
        """
        vad = np.asarray(vad, np.float32)
        category = np.asarray(category, np.int64)
        intensity = np.asarray(intensity, np.float32)
        m = vad.shape[0]
        schedule = self.ddim(num_inference_steps)
        # one noise draw for every stretch of the line: one voice whose emotion changes, not
        # another speaker at each change (or at each cross-faded syllable)
        sample = np.repeat(np.asarray(noise, np.float32), m, axis=0) * np.float32(noise_scale)
        sample = sample * np.float32(schedule.init_noise_sigma)
        both_vad = np.concatenate([np.zeros_like(vad), vad])
        both_category = np.concatenate([np.full_like(category, self.neutral_category), category])
        both_intensity = np.concatenate([np.zeros_like(intensity), intensity])

        def predict(sample: np.ndarray, t: int) -> tuple[np.ndarray, np.ndarray]:
            predicted = self.run(np.concatenate([sample, sample]), np.full(2 * m, t, np.int64),
                                 both_vad, both_category, both_intensity)
            return predicted[:m], predicted[m:]

        weight = np.asarray(guidance, np.float32)[:, None]
        return self.guided_ddim(schedule, sample, weight, predict)
