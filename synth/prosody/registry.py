"""Prosody models by name: the one place that knows every implementation.

The base (:mod:`synth.prosody.base`) defines the contract and knows no implementation; each
implementation imports the base; this module imports them, on demand.
"""

from __future__ import annotations

from controllers.errors import InputError
from synth.prosody.base import PROSODY_MODELS, ProsodyModel


def load_prosody_model(name: str) -> ProsodyModel:
    """The prosody model called ``name`` (``"diffusion"`` or ``"rules"``).

    Shipped weights (``assets/prosody/``) are read on the first call and cached.
    """
    if name == "rules":
        from synth.prosody.rules import RuleProsody

        return RuleProsody()
    if name == "diffusion":
        from synth.prosody.diffusion import DiffusionProsody

        return DiffusionProsody.load()
    raise InputError(f"unknown prosody model {name!r}; accepted: {', '.join(PROSODY_MODELS)}")
