"""The learned prosody model: a diffusion model over per-syllable offsets, trained on EmoDB.

Files (``assets/prosody/``): ``config.json`` (:class:`DiffusionProsodyConfig`: normalisation,
category table, sampling defaults), ``denoiser/`` (the :class:`ProsodyDenoiser`'s
``config.json`` + weights) and ``scheduler/`` (the training scheduler's config). ``make
train-prosody`` (``python -m synth.prosody.train``) writes them.

Emotion conditioning. Each syllable's target gives the denoiser its category (EmoDB's boredom was
taught as the studio's ``calm``; ``surprise`` has no EmoDB data and is reached through its VAD
point with the "unknown" category), the VAD point of its prototype (the direction of the target)
and an intensity input of 1 (trained on listener recognition rates: 1 asks for the clearly
recognisable reading). Classifier-free guidance against the neutral estimate (``w =
guidance_scale * guidance``, see :mod:`synth.prosody.pipeline`) sets how exaggerated the full
emotion is; the target's intensity then scales the sampled offsets linearly (intensity 0.5 is half
the way from the neutral reading), because guidance strength compounds over the DDIM steps.

Loudness. The shared EmoDB copy is peak-normalised per file, so only level *relations inside* an
utterance were learnable; the utterance's overall gain follows EmoSpeak's volume rule
(``20 log10((50 + 0.33 A) / 50)`` dB, see :mod:`synth.prosody.rules`) on top of the learned
syllable-to-syllable pattern.
"""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from controllers.assets import asset_path
from controllers.errors import InputError
from controllers.target import CATEGORIES, EmotionTarget, nearest_category
from synth.contracts import Timeline
from synth.prosody.attributes import attribute_offsets
from synth.prosody.base import FEATURE_INDEX, PROSODY_FEATURES, check_inputs
from synth.prosody.features import CONTEXT_FEATURES, syllable_context

#: Context columns the denoiser reads: the syllable's place in the text and its neutral duration.
#: The acoustic columns (F0 level and span, voiced share, energy, pauses) are left out: measured by
#: different trackers on EmoDB's actors and on our voice, their values on the voice's readings lie
#: outside what EmoDB showed, and with them the learned effects shrank on the voice (happiness
#: +1..4 st instead of EmoDB's +8 st mean F0 shift).
MODEL_CONTEXT: tuple[str, ...] = ("stress", "word_initial", "word_final", "phrase_final",
                                  "utterance_position", "log_duration")

#: Name of the category token that means "no category, use the VAD point".
UNKNOWN_CATEGORY = "unknown"

#: Largest magnitude of each output feature, guarding the renderer against outliers.
OUTPUT_LIMITS: dict[str, float] = {
    "f0_level_st": 12.0, "f0_range_st": 12.0, "f0_slope_st_s": 60.0,
    "log_duration_ratio": 0.7, "pause_after_s": 0.6, "energy_db": 12.0, "tilt_db": 15.0,
    "breathiness": 1.0,
}


@dataclass
class DiffusionProsodyConfig:
    """How the shipped diffusion model was trained and how it samples."""

    context_mean: list[float]
    """Mean of each :attr:`context_features` column in the training data (normalisation)."""
    context_std: list[float]
    """Standard deviation of each context column (normalisation)."""
    offset_scale: list[float]
    """Scale of each :data:`PROSODY_FEATURES` column: model units -> feature units."""
    categories: list[str] = field(default_factory=lambda: [*CATEGORIES, UNKNOWN_CATEGORY])
    """Category table of the denoiser's embedding, in index order."""
    trained_categories: list[str] = field(default_factory=list)
    """Categories seen in training; any other one is sampled as ``"unknown"`` + its VAD point."""
    category_map: dict[str, str] = field(default_factory=dict)
    """EmoDB emotion -> studio category used in training."""
    guidance_scale: float = 1.0
    """Classifier-free guidance weight (0 = neutral reading, 1 = as learned, >1 exaggerates)."""
    num_inference_steps: int = 10
    """DDIM steps when sampling."""
    noise_scale: float = 0.4
    """Factor on the initial noise: the sampling temperature. Below 1 the takes stay near the
    learned mode (as piper's ``noise_scale`` 0.667 does for its durations): at 1.0 the syllable
    -to-syllable spread of EmoDB's offsets, much of it measurement noise, widened the F0 range of
    every emotion, sad and calm included. Seeds still give different takes."""
    context_features: list[str] = field(default_factory=lambda: list(MODEL_CONTEXT))
    """Names of the :data:`CONTEXT_FEATURES` columns the denoiser reads, in its input order."""
    prosody_features: list[str] = field(default_factory=lambda: list(PROSODY_FEATURES))
    """Output column names, to catch a mismatch with the code."""
    validation: dict = field(default_factory=dict)
    """Held-out-speaker metrics measured by the training script (for the record)."""

    def save(self, path: Path) -> None:
        from synth.atomic import atomic_write_text

        atomic_write_text(path, json.dumps(asdict(self), indent=1))

    @classmethod
    def load(cls, path: Path) -> DiffusionProsodyConfig:
        return cls(**json.loads(Path(path).read_text()))


def volume_gain_db(arousal: float) -> float:
    """EmoSpeak's volume rule as a gain in dB for an arousal in [-1, 1]."""
    return float(20.0 * np.log10((50.0 + 0.33 * 100.0 * arousal) / 50.0))


class DiffusionProsody:
    """EmoDB-trained diffusion prosody behind the :class:`~synth.prosody.base.ProsodyModel`
    interface. Build it with :meth:`load`."""

    name = "diffusion"

    def __init__(self, pipeline, config: DiffusionProsodyConfig):
        self.pipeline = pipeline
        self.config = config
        if not set(config.context_features) <= set(CONTEXT_FEATURES) or \
                tuple(config.prosody_features) != PROSODY_FEATURES:
            raise ValueError("shipped prosody model does not match the code's feature lists; "
                             "retrain with `make train-prosody`")

    @classmethod
    def load(cls, folder: str | Path | None = None) -> DiffusionProsody:
        """The model stored in ``folder`` (default ``assets/prosody``), loaded once per folder."""
        return _load(str(Path(folder) if folder else asset_path("prosody")))

    @classmethod
    def from_parts(cls, denoiser, scheduler, config: DiffusionProsodyConfig) -> DiffusionProsody:
        """Wrap an in-memory denoiser and scheduler (used by training and tests)."""
        from synth.prosody.pipeline import ProsodyDiffusionPipeline

        neutral = config.categories.index("neutral")
        return cls(ProsodyDiffusionPipeline(denoiser, scheduler, neutral), config)

    def save(self, folder: str | Path) -> None:
        """Write ``config.json``, ``denoiser/`` and ``scheduler/`` into ``folder``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.pipeline.denoiser.save_pretrained(folder / "denoiser")
        self.pipeline.scheduler.save_pretrained(folder / "scheduler")
        self.config.save(folder / "config.json")

    # -- conditioning --------------------------------------------------------------------------
    def conditions(self, targets: Sequence[EmotionTarget]) -> tuple[np.ndarray, np.ndarray,
                                                                     np.ndarray, np.ndarray]:
        """Per-syllable (vad (n,3), category (n,) int, intensity input (n,), strength (n,)).

        ``strength`` is the target's intensity: how far from neutral, before guidance scaling.
        A purely dimensional target (no category) gets the nearest category's intensity.
        """
        n = len(targets)
        vad = np.zeros((n, 3), np.float32)
        category = np.zeros(n, np.int64)
        intensity = np.zeros(n, np.float32)
        strength = np.zeros(n, np.float32)
        table = self.config.categories
        for i, target in enumerate(targets):
            name, amount = target.category, float(target.intensity)
            if name is None or (amount <= 0.0 and any(target.vad)):
                name, amount = nearest_category(*target.vad)
            point = np.asarray(target.vad, np.float32)
            if amount > 0.05:
                point = np.clip(point / amount, -1.0, 1.0)  # the prototype's direction
            if name not in self.config.trained_categories:
                name = UNKNOWN_CATEGORY
            vad[i] = point
            category[i] = table.index(name)
            intensity[i] = 1.0 if amount > 0 else 0.0
            strength[i] = amount if target.category != "neutral" else 0.0
        return vad, category, intensity, strength

    # -- the interface -------------------------------------------------------------------------
    def predict(self, timeline: Timeline, targets: Sequence[EmotionTarget],
                seed: int | None = None, guidance: float = 1.0) -> np.ndarray:
        """(n_syllables, 8) float32 offsets, columns in :data:`PROSODY_FEATURES` order.

        ``guidance`` multiplies the shipped guidance scale (the critic's correction knob; 1.0 is
        the default, 0 gives the neutral reading plus attributes).
        """
        check_inputs(timeline, targets)
        return self.predict_context(syllable_context(timeline), targets, seed, guidance)

    def predict_context(self, context: np.ndarray, targets: Sequence[EmotionTarget],
                        seed: int | None = None, guidance: float = 1.0) -> np.ndarray:
        """Like :meth:`predict`, from a (n, len(CONTEXT_FEATURES)) context array."""
        out = self.sample(context, targets, seed, guidance)
        arousal = np.array([t.arousal for t in targets], np.float32)
        out[:, FEATURE_INDEX["energy_db"]] += [volume_gain_db(a * guidance) for a in arousal]
        out += attribute_offsets(targets, context[:, CONTEXT_FEATURES.index("f0_span_st")])
        for name, limit in OUTPUT_LIMITS.items():
            k = FEATURE_INDEX[name]
            out[:, k] = np.clip(out[:, k], -limit, limit)
        k = FEATURE_INDEX["pause_after_s"]
        out[:, k] = np.maximum(out[:, k], 0.0)
        return out.astype(np.float32)

    def sample(self, context: np.ndarray, targets: Sequence[EmotionTarget],
               seed: int | None = None, guidance: float = 1.0) -> np.ndarray:
        """The learned offsets alone (no loudness rule, attributes or limits), (n, 8) float32.

        ``context`` is (n, len(CONTEXT_FEATURES)) raw :func:`syllable_context` values.
        """
        import torch

        if len(targets) != len(context):
            raise InputError(f"got {len(targets)} targets for {len(context)} syllables")
        if not np.isfinite(guidance) or guidance < 0:
            raise InputError(f"guidance {guidance} must be a finite number >= 0")
        if len(context) == 0:
            return np.zeros((0, len(PROSODY_FEATURES)), np.float32)
        cfg = self.config
        columns = [CONTEXT_FEATURES.index(name) for name in cfg.context_features]
        normalised = (np.asarray(context, np.float32)[:, columns]
                      - np.asarray(cfg.context_mean, np.float32)) / np.asarray(cfg.context_std,
                                                                              np.float32)
        vad, category, intensity, strength = self.conditions(targets)
        emotional = (strength > 0).astype(np.float32)
        weight = (emotional * cfg.guidance_scale * float(guidance)).astype(np.float32)
        if seed is None:
            seed = int(np.random.SeedSequence().entropy % 2**63)
        generator = torch.Generator().manual_seed(int(seed))
        # One thread: the network is tiny, and on a busy machine thread hand-offs cost ~100x.
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            with torch.inference_mode():
                sample = self.pipeline(
                    torch.from_numpy(normalised), torch.from_numpy(vad),
                    torch.from_numpy(category), torch.from_numpy(intensity),
                    torch.from_numpy(weight), num_inference_steps=cfg.num_inference_steps,
                    generator=generator, noise_scale=cfg.noise_scale).numpy()
        finally:
            torch.set_num_threads(threads)
        return sample * strength[:, None] * np.asarray(cfg.offset_scale, np.float32)


@functools.lru_cache(maxsize=4)
def _load(folder: str) -> DiffusionProsody:
    from diffusers import DDPMScheduler

    from synth.prosody.denoiser import ProsodyDenoiser

    path = Path(folder)
    if not (path / "config.json").exists():
        raise FileNotFoundError(f"no trained prosody model in {path}; run `make train-prosody`")
    denoiser = ProsodyDenoiser.from_pretrained(path / "denoiser", low_cpu_mem_usage=False)
    scheduler = DDPMScheduler.from_pretrained(path / "scheduler")
    return DiffusionProsody.from_parts(denoiser, scheduler, DiffusionProsodyConfig.load(
        path / "config.json"))
