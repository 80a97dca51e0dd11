"""What the prosody and the voice models share: conditioning, guided DDIM sampling, denoiser
training and model files.

Both are diffusion models over emotion offsets from a neutral reading, conditioned on a category,
a VAD point and an intensity derived the same way from the emotion targets
(:mod:`synth.diffusion.conditioning`), and sampled with classifier-free guidance against the
neutral estimate (:mod:`synth.diffusion.sampling`); both train a denoiser that predicts the clean
sample with a recognition-weighted, masked loss (:mod:`synth.diffusion.training`), and both are
stored as ``config.json`` + ``denoiser/`` + ``scheduler/`` (:mod:`synth.diffusion.files`). What
differs (the denoiser, the layout of a batch, which categories are reached by their VAD point)
stays with each model.

Training uses torch, diffusers and lightning; sampling uses neither torch nor diffusers: the
trained denoiser is exported to ONNX beside its weights (:mod:`synth.diffusion.export`) and run
by onnxruntime (:mod:`synth.diffusion.runtime`), under a numpy DDIM
(:mod:`synth.diffusion.ddim`) from PyTorch's noise for the seed (:mod:`synth.diffusion.noise`).
"""
