"""The denoiser: a small transformer over the syllables of an utterance.

It sees the noisy prosody offsets of every syllable, the neutral context of each syllable
(:data:`~synth.prosody.features.CONTEXT_FEATURES`), the diffusion timestep and the emotion
(valence, arousal, dominance, a category embedding and an intensity), and predicts the clean
offsets (diffusers' ``prediction_type="sample"``, as in motion diffusion models). Attention runs
across the syllables of one utterance, so offsets come out as one coherent contour.

Hyperparameters are registered with the module (diffusers ``ConfigMixin``): ``save_pretrained``
writes ``config.json`` and the weights side by side; ``from_pretrained`` reads them back. This
module (torch, diffusers) is for training: sampling runs the ONNX export of the trained module
(:meth:`ProsodyDenoiser.onnx_example`, :mod:`synth.diffusion.export`).
"""

from __future__ import annotations

import math

import torch
from diffusers import ConfigMixin, ModelMixin
from diffusers.configuration_utils import register_to_config
from torch import nn


def timestep_embedding(timesteps: torch.Tensor, dim: int,
                       max_period: float = 10000.0) -> torch.Tensor:
    """(batch,) integer timesteps -> (batch, dim) sinusoidal features."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32) / half)
    args = timesteps.float()[:, None] * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


def _encoder_layer(layer: nn.TransformerEncoderLayer, h: torch.Tensor) -> torch.Tensor:
    """One pre-norm, GELU, batch-first encoder layer in eval mode (no dropout, no mask), as
    ``layer(h)`` computes it; (b, n, width) -> (b, n, width)."""
    attention = layer.self_attn
    q, k, v = nn.functional.linear(layer.norm1(h), attention.in_proj_weight,
                                   attention.in_proj_bias).chunk(3, dim=-1)
    heads = attention.num_heads
    q, k, v = (x.unflatten(-1, (heads, -1)).transpose(1, 2) for x in (q, k, v))  # (b, heads, n, d)
    attended = nn.functional.scaled_dot_product_attention(q, k, v)
    h = h + attention.out_proj(attended.transpose(1, 2).flatten(-2))
    return h + layer.linear2(nn.functional.gelu(layer.linear1(layer.norm2(h))))


class ProsodyDenoiser(ModelMixin, ConfigMixin):
    """Predicts clean (normalised) prosody offsets from noisy ones.

    Inputs of :meth:`forward` (batch ``b``, syllables ``n``):

    - ``sample`` (b, n, n_features) noisy normalised offsets;
    - ``timestep`` (b,) int diffusion step;
    - ``context`` (b, n, n_context) normalised neutral syllable context;
    - ``vad`` (b, n, 3) valence, arousal, dominance of each syllable's emotion, each in [-1, 1];
    - ``category`` (b, n) int index into the category table (see the pipeline), the last index
      meaning "unknown category: use the VAD point only";
    - ``intensity`` (b, n) float in [0, 1];

    The emotion is given per syllable, so a line whose emotion changes midway is one sequence.
    - ``padding`` (b, n) bool, True at padded positions (optional).

    Returns (b, n, n_features): the predicted clean sample.
    """

    @register_to_config
    def __init__(self, n_features: int = 8, n_context: int = 11, n_categories: int = 9,
                 width: int = 64, layers: int = 3, heads: int = 4, dropout: float = 0.1):
        super().__init__()
        self.input = nn.Linear(n_features + n_context, width)
        self.time = nn.Sequential(nn.Linear(width, width), nn.SiLU(), nn.Linear(width, width))
        self.category = nn.Embedding(n_categories, width)
        self.emotion = nn.Sequential(nn.Linear(4, width), nn.SiLU(), nn.Linear(width, width))
        block = nn.TransformerEncoderLayer(width, heads, 2 * width, dropout, batch_first=True,
                                           norm_first=True, activation="gelu")
        self.encoder = nn.TransformerEncoder(block, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(width)
        self.output = nn.Linear(width, n_features)

    def forward(self, sample: torch.Tensor, timestep: torch.Tensor, context: torch.Tensor,
                vad: torch.Tensor, category: torch.Tensor, intensity: torch.Tensor,
                padding: torch.Tensor | None = None) -> torch.Tensor:
        h = self.encoder(self._embed(sample, timestep, context, vad, category, intensity),
                         src_key_padding_mask=padding)
        return self.output(self.norm(h))

    def _embed(self, sample: torch.Tensor, timestep: torch.Tensor, context: torch.Tensor,
               vad: torch.Tensor, category: torch.Tensor, intensity: torch.Tensor) -> torch.Tensor:
        """(b, n, width) encoder input: the projected sample and context plus the condition."""
        width = self.config.width
        condition = (self.time(timestep_embedding(timestep, width))[:, None, :]
                     + self.category(category)
                     + self.emotion(torch.cat([vad, intensity[..., None]], dim=-1)))
        return self.input(torch.cat([sample, context], dim=-1)) + condition

    def traceable_forward(self, sample: torch.Tensor, timestep: torch.Tensor,
                          context: torch.Tensor, vad: torch.Tensor, category: torch.Tensor,
                          intensity: torch.Tensor) -> torch.Tensor:
        """:meth:`forward` without padding, in eval mode, with the encoder layers written out
        (:func:`_encoder_layer`): ``nn.MultiheadAttention`` turns the batch and syllable counts
        into constants of a traced (ONNX) graph, these operations keep them free."""
        h = self._embed(sample, timestep, context, vad, category, intensity)
        for layer in self.encoder.layers:
            h = _encoder_layer(layer, h)
        return self.output(self.norm(h))

    def onnx_example(self) -> tuple[tuple[torch.Tensor, ...], dict[str, dict[int, str]]]:
        """Example inputs of :meth:`traceable_forward` for the ONNX export, and the dynamic axes
        of each named input (batch and syllables)."""
        cfg = self.config
        b, n = 2, 5
        example = (torch.zeros(b, n, cfg.n_features), torch.zeros(b, dtype=torch.long),
                   torch.zeros(b, n, cfg.n_context), torch.zeros(b, n, 3),
                   torch.zeros(b, n, dtype=torch.long), torch.zeros(b, n))
        per_syllable = {0: "batch", 1: "syllables"}
        return example, {"sample": per_syllable, "timestep": {0: "batch"},
                         "context": per_syllable, "vad": per_syllable,
                         "category": per_syllable, "intensity": per_syllable}
