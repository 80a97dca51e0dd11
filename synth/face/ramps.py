"""The two ease curves of the face: 0 -> 1 over a unit interval, flat at both ends.

Used wherever a face curve moves from one value to another (saccades, lip seals, head nods,
emotion cross-fades), so that nothing starts or stops with a jump in velocity.
"""

from __future__ import annotations

import numpy as np


def smoothstep(x: np.ndarray) -> np.ndarray:
    """Cubic Hermite ease ``3x^2 - 2x^3`` of ``x`` clipped to [0, 1]; same shape as ``x``."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def raised_cosine(x: np.ndarray) -> np.ndarray:
    """Raised-cosine ease ``(1 - cos(pi x)) / 2`` of ``x`` clipped to [0, 1]; same shape as ``x``."""
    return 0.5 - 0.5 * np.cos(np.pi * np.clip(x, 0.0, 1.0))
