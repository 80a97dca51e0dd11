"""What the prosody and the voice models share: guided DDIM sampling and denoiser training.

Both are diffusion models over emotion offsets from a neutral reading, conditioned on a category,
a VAD point and an intensity, and sampled with classifier-free guidance against the neutral
estimate (:mod:`synth.diffusion.sampling`); both train a denoiser that predicts the clean sample
with a recognition-weighted, masked loss (:mod:`synth.diffusion.training`). What differs (the
denoiser, the layout of a batch, the conditioning) stays with each model.
"""
