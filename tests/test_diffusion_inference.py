"""Sampling the diffusion models without torch: the numpy DDIM, the ONNX denoisers and the noise
equal what PyTorch and diffusers compute, the shipped exports are current, a take is
deterministic per seed, and loading a model for a take imports neither torch nor diffusers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from synth.diffusion.ddim import DDIMSchedule
from synth.diffusion.noise import torch_randn
from synth.diffusion.runtime import OnnxDenoiser, weights_hash

REPO = Path(__file__).resolve().parent.parent
MODELS = ("prosody", "voice")

torch = pytest.importorskip("torch")
diffusers = pytest.importorskip("diffusers")


def _scheduler_config(name: str) -> dict:
    return json.loads((REPO / "assets" / name / "scheduler" / "scheduler_config.json").read_text())


@pytest.mark.parametrize("shape", [(1,), (1, 1, 8), (15,), (16,), (1, 42), (1, 3, 8), (1, 33)])
@pytest.mark.parametrize("seed", [0, 7, 2**32 - 1, 2**32 + 5, 2**63 - 3])
def test_noise_is_torch_randn_for_the_seed(shape, seed):
    expected = torch.randn(shape, generator=torch.Generator().manual_seed(seed)).numpy()
    got = torch_randn(shape, seed)
    assert got.shape == expected.shape and got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("steps", [10, 20, 7])
@pytest.mark.parametrize("change", [{}, {"prediction_type": "epsilon"},
                                    {"prediction_type": "v_prediction", "clip_sample": True},
                                    {"timestep_spacing": "trailing", "set_alpha_to_one": False},
                                    {"beta_schedule": "linear", "steps_offset": 1,
                                     "timestep_spacing": "linspace"}])
def test_ddim_step_is_diffusers_ddim(steps, change):
    config = {**_scheduler_config("prosody"), **change}
    ours = DDIMSchedule(config, steps)
    theirs = diffusers.DDIMScheduler.from_config(config)
    theirs.set_timesteps(steps)
    np.testing.assert_array_equal(ours.timesteps, theirs.timesteps.numpy())
    if "beta_schedule" in change:  # torch's float32 linspace may differ in the last bit
        np.testing.assert_allclose(ours.alphas_cumprod, theirs.alphas_cumprod.numpy(), rtol=1e-6)
    else:
        np.testing.assert_array_equal(ours.alphas_cumprod, theirs.alphas_cumprod.numpy())
    rng = np.random.default_rng(steps)
    sample = rng.normal(size=(2, 5, 8)).astype(np.float32)
    for t in ours.timesteps:
        output = rng.normal(size=sample.shape).astype(np.float32)
        expected = theirs.step(torch.from_numpy(output), torch.tensor(t), torch.from_numpy(sample),
                               eta=0.0).prev_sample.numpy()
        got = ours.step(output, t, sample)
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
        sample = expected


def _reference(name: str, module, scheduler_config: dict, neutral: int, inputs, noise, steps):
    """The sampler as it ran in PyTorch and diffusers before the ONNX export existed."""
    scheduler = diffusers.DDIMScheduler.from_config(scheduler_config)
    scheduler.set_timesteps(steps)
    module = module.eval()
    with torch.inference_mode():
        x = torch.from_numpy(noise)
        if name == "prosody":
            context, vad, category, intensity, guidance = map(torch.from_numpy, inputs)
            args = (context[None].expand(2, -1, -1), torch.stack([torch.zeros_like(vad), vad]),
                    torch.stack([torch.full_like(category, neutral), category]),
                    torch.stack([torch.zeros_like(intensity), intensity]))
            for t in scheduler.timesteps:
                out = module(x.expand(2, -1, -1), t.repeat(2), *args)
                guided = out[0:1] + guidance[None, :, None] * (out[1:2] - out[0:1])
                x = scheduler.step(guided, t, x, eta=0.0).prev_sample
            return x[0].numpy()
        vad, category, intensity, guidance = map(torch.from_numpy, inputs)
        m = vad.shape[0]
        x = x.repeat(m, 1)
        args = (torch.cat([torch.zeros_like(vad), vad]),
                torch.cat([torch.full_like(category, neutral), category]),
                torch.cat([torch.zeros_like(intensity), intensity]))
        for t in scheduler.timesteps:
            out = module(x.repeat(2, 1), t.repeat(2 * m), *args)
            x = scheduler.step(out[:m] + guidance[:, None] * (out[m:] - out[:m]), t, x,
                               eta=0.0).prev_sample
        return x.numpy()


def _inputs(name: str, n: int, rng: np.random.Generator, n_context: int = 0):
    vad = rng.uniform(-1, 1, (n, 3)).astype(np.float32)
    category = rng.integers(0, 9, n).astype(np.int64)
    intensity = np.ones(n, np.float32)
    guidance = rng.uniform(0.0, 2.0, n).astype(np.float32)
    if name == "prosody":
        return (rng.normal(size=(n, n_context)).astype(np.float32), vad, category, intensity,
                guidance)
    return vad, category, intensity, guidance


def _load(name: str):
    if name == "prosody":
        from synth.prosody.diffusion import DiffusionProsody

        return DiffusionProsody.load()
    from synth.voice.model import VoiceQualityModel

    return VoiceQualityModel.load()


@pytest.mark.parametrize("name", MODELS)
def test_shipped_onnx_export_is_current(name):
    folder = REPO / "assets" / name / "denoiser"
    assert OnnxDenoiser(folder).exported_from == weights_hash(folder), (
        f"assets/{name}/denoiser/model.onnx was not exported from the shipped weights; "
        f"run `python -m synth.diffusion.export assets/{name}`")
    assert isinstance(_load(name).pipeline.denoiser, OnnxDenoiser)


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("n", [1, 2, 9])
def test_onnx_sampler_equals_torch_and_diffusers(name, n):
    from synth.diffusion.export import denoiser_class

    model = _load(name)
    pipeline, steps = model.pipeline, model.config.num_inference_steps
    folder = REPO / "assets" / name / "denoiser"
    module = denoiser_class(folder).from_pretrained(folder, low_cpu_mem_usage=False)
    inputs = _inputs(name, n, np.random.default_rng(n), module.config.get("n_context", 0))
    noise = torch_randn(pipeline.noise_shape(*inputs), 11)
    expected = _reference(name, module, dict(pipeline.scheduler), pipeline.neutral_category,
                          inputs, noise, steps)
    got = pipeline(*inputs, noise=noise, num_inference_steps=steps)
    assert got.shape == expected.shape and got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    assert np.abs(expected).max() > 0.1  # a real sample, not zeros


@pytest.mark.parametrize("name", MODELS)
def test_a_take_is_deterministic_per_seed(name):
    from controllers.target import EmotionTarget

    model = _load(name)
    targets = [EmotionTarget.from_category("happiness")] * 4
    if name == "prosody":
        from synth.prosody.features import CONTEXT_FEATURES

        context = np.random.default_rng(0).normal(size=(4, len(CONTEXT_FEATURES))).astype(
            np.float32)
        take = lambda seed: model.sample(context, targets, seed=seed)  # noqa: E731
    else:
        take = lambda seed: model.sample(targets[:2], seed=seed)  # noqa: E731
    a, b, c = take(5), take(5), take(6)
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 1e-3


def test_retraining_writes_a_current_export(tmp_path):
    """``save`` of a freshly built (PyTorch) model writes ``model.onnx`` beside the weights,
    and the loaded model samples what the PyTorch module samples."""
    from synth.diffusion.files import load_parts
    from synth.diffusion.training import training_scheduler
    from synth.voice.denoiser import VoiceDenoiser
    from synth.voice.model import VoiceModelConfig, VoiceQualityModel

    torch.manual_seed(0)
    shipped = VoiceQualityModel.load()
    denoiser = VoiceDenoiser(n_features=shipped.pipeline.n_features, width=32, layers=1)
    fresh = VoiceQualityModel.from_parts(denoiser.eval(), training_scheduler(1000),
                                         shipped.config)
    fresh.save(tmp_path)
    assert (tmp_path / "denoiser" / "model.onnx").is_file()
    loaded = VoiceQualityModel.from_parts(*load_parts(tmp_path, VoiceModelConfig, "voice"))
    assert isinstance(loaded.pipeline.denoiser, OnnxDenoiser)
    from controllers.target import EmotionTarget

    targets = [EmotionTarget.from_category("anger"), EmotionTarget.from_category("sadness")]
    np.testing.assert_allclose(loaded.sample(targets, seed=3), fresh.sample(targets, seed=3),
                               rtol=1e-4, atol=1e-5)


def test_a_take_imports_neither_torch_nor_diffusers():
    script = textwrap.dedent("""
        import sys
        from controllers.target import EmotionTarget
        from synth.prosody.diffusion import DiffusionProsody
        from synth.prosody.features import CONTEXT_FEATURES
        from synth.voice.model import VoiceQualityModel
        import numpy as np
        targets = [EmotionTarget.from_category("anger")] * 3
        context = np.zeros((3, len(CONTEXT_FEATURES)), np.float32)
        assert DiffusionProsody.load().sample(context, targets, seed=1).shape[0] == 3
        assert VoiceQualityModel.load().sample(targets, seed=1).shape[0] == 3
        heavy = sorted(m for m in ("torch", "diffusers", "scipy.stats") if m in sys.modules)
        print("heavy:", heavy)
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                            text=True, timeout=120, env=dict(os.environ, OMP_NUM_THREADS="1"))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "heavy: []" in result.stdout, result.stdout
