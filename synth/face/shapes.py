"""Small helpers over the 52 ARKit blendshape names shared by the face modules."""

from __future__ import annotations

from synth.contracts import ARKIT_NAMES

#: Column of each ARKit blendshape in :data:`synth.contracts.ARKIT_NAMES`.
ARKIT_INDEX: dict[str, int] = {name: i for i, name in enumerate(ARKIT_NAMES)}


def both_sides(name: str, value: float) -> dict[str, float]:
    """``{"mouthStretchLeft": v, "mouthStretchRight": v}`` from ``"mouthStretch"``."""
    return {f"{name}Left": value, f"{name}Right": value}
