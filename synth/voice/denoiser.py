"""The denoiser: a small residual MLP over one utterance's voice delta vector.

It sees the noisy (normalised) delta, the diffusion timestep and the emotion (valence, arousal,
dominance, a category embedding and an intensity), and predicts the clean delta (diffusers'
``prediction_type="sample"``, as the prosody denoiser). A voice delta is one vector per stretch
of one emotion (:func:`synth.voice.bands.delta_names`), so there is no sequence to attend over.

Hyperparameters are registered with the module (diffusers ``ConfigMixin``): ``save_pretrained``
writes ``config.json`` and the weights side by side; ``from_pretrained`` reads them back. This
module (torch, diffusers) is for training: sampling runs the ONNX export of the trained module
(:meth:`VoiceDenoiser.onnx_example`, :mod:`synth.diffusion.export`).
"""

from __future__ import annotations

import torch
from diffusers import ConfigMixin, ModelMixin
from diffusers.configuration_utils import register_to_config
from torch import nn

from synth.prosody.denoiser import timestep_embedding


class _Block(nn.Module):
    def __init__(self, width: int, dropout: float):
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 2 * width), nn.SiLU(), nn.Dropout(dropout),
                                 nn.Linear(2 * width, width))
        self.film = nn.Linear(width, 2 * width)

    def forward(self, h: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        scale, shift = self.film(condition).chunk(2, dim=-1)
        return h + self.mlp(self.norm(h) * (1 + scale) + shift)


class VoiceDenoiser(ModelMixin, ConfigMixin):
    """Predicts a clean (normalised) voice delta from a noisy one.

    Inputs of :meth:`forward` (batch ``b``):

    - ``sample`` (b, n_features) noisy normalised delta;
    - ``timestep`` (b,) int diffusion step;
    - ``vad`` (b, 3) valence, arousal, dominance of the emotion, each in [-1, 1];
    - ``category`` (b,) int index into the category table, the last meaning "unknown";
    - ``intensity`` (b,) float in [0, 1].

    Returns (b, n_features): the predicted clean sample.
    """

    @register_to_config
    def __init__(self, n_features: int = 42, n_categories: int = 9, width: int = 128,
                 layers: int = 3, dropout: float = 0.1):
        super().__init__()
        self.input = nn.Linear(n_features, width)
        self.time = nn.Sequential(nn.Linear(width, width), nn.SiLU(), nn.Linear(width, width))
        self.category = nn.Embedding(n_categories, width)
        self.emotion = nn.Sequential(nn.Linear(4, width), nn.SiLU(), nn.Linear(width, width))
        self.blocks = nn.ModuleList([_Block(width, dropout) for _ in range(layers)])
        self.norm = nn.LayerNorm(width)
        self.output = nn.Linear(width, n_features)

    def forward(self, sample: torch.Tensor, timestep: torch.Tensor, vad: torch.Tensor,
                category: torch.Tensor, intensity: torch.Tensor) -> torch.Tensor:
        width = self.config.width
        condition = (self.time(timestep_embedding(timestep, width)) + self.category(category)
                     + self.emotion(torch.cat([vad, intensity[:, None]], dim=-1)))
        h = self.input(sample)
        for block in self.blocks:
            h = block(h, condition)
        return self.output(self.norm(h))

    def onnx_example(self) -> tuple[tuple[torch.Tensor, ...], dict[str, dict[int, str]]]:
        """Example inputs of :meth:`forward` for the ONNX export, and the dynamic axes of each
        named input (batch)."""
        b = 2
        example = (torch.zeros(b, self.config.n_features), torch.zeros(b, dtype=torch.long),
                   torch.zeros(b, 3), torch.zeros(b, dtype=torch.long), torch.zeros(b))
        batch = {0: "batch"}
        return example, {name: batch for name in ("sample", "timestep", "vad", "category",
                                                  "intensity")}
