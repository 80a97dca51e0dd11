"""Emotion conditioning shared by the prosody and the voice models.

Each target gives the denoiser its category token (``"unknown"`` for a category without trained
data, for a purely dimensional target, or for a category the model chooses to reach through its
VAD point), the VAD point of its prototype (the direction of the target) and an intensity input
of 1 (0 for a target without emotion). The target's intensity itself is returned apart as the
``strength`` that scales the sampled offsets linearly after guidance.
"""

from __future__ import annotations

from typing import Collection, Sequence

import numpy as np

from controllers.target import EmotionTarget, nearest_category

#: Name of the category token that means "no category, use the VAD point".
UNKNOWN_CATEGORY = "unknown"


def emotion_conditions(targets: Sequence[EmotionTarget], categories: Sequence[str],
                       trained_categories: Collection[str],
                       sampled_by_vad: Collection[str] = ()) -> tuple[np.ndarray, np.ndarray,
                                                                      np.ndarray, np.ndarray]:
    """Per target (vad (m,3) float32, category (m,) int64, intensity input (m,) float32,
    strength (m,) float32).

    ``categories`` is the denoiser's category table in index order; a category not in
    ``trained_categories``, or in ``sampled_by_vad``, gets :data:`UNKNOWN_CATEGORY`. The VAD
    point is the target's divided by its intensity (the prototype's direction, clipped to
    [-1, 1]). ``strength`` is the target's intensity: how far from neutral, before guidance
    scaling (0 for ``neutral``); a purely dimensional target gets the nearest category's.
    """
    m = len(targets)
    vad = np.zeros((m, 3), np.float32)
    category = np.zeros(m, np.int64)
    intensity = np.zeros(m, np.float32)
    strength = np.zeros(m, np.float32)
    for i, target in enumerate(targets):
        name, amount = target.category, float(target.intensity)
        if name is None or (amount <= 0.0 and any(target.vad)):
            name, amount = nearest_category(*target.vad)
        point = np.asarray(target.vad, np.float32)
        if amount > 0.05:
            point = np.clip(point / amount, -1.0, 1.0)  # the prototype's direction
        if name not in trained_categories or name in sampled_by_vad:
            name = UNKNOWN_CATEGORY
        vad[i] = point
        category[i] = categories.index(name)
        intensity[i] = 1.0 if amount > 0 else 0.0
        strength[i] = amount if target.category != "neutral" else 0.0
    return vad, category, intensity, strength
