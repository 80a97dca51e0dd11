"""What one recogniser thinks a take expresses: category probabilities and a VAD point."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from controllers.target import CATEGORIES, CATEGORY_VAD


@dataclass
class EmotionEstimate:
    """One modality's reading of a take (or of a recording).

    ``probabilities`` covers the studio's :data:`controllers.target.CATEGORIES`; a recogniser
    that cannot express a category (FER has no "calm") gives it probability 0.
    """

    modality: str
    """``"speech"``, ``"face"``, ``"body"`` or ``"fused"``."""
    probabilities: dict[str, float]
    """category -> probability, summing to 1 over the categories the recogniser knows."""
    valence: float
    """Estimated valence in [-1, 1]."""
    arousal: float
    """Estimated arousal in [-1, 1]."""
    dominance: float = 0.0
    """Estimated dominance in [-1, 1]."""
    confidence: float = 0.0
    """Probability of the most likely category (calibrated where the recogniser is)."""
    extra: dict = field(default_factory=dict)
    """Recogniser-specific details (native class probabilities, features), JSON-serialisable."""

    @property
    def category(self) -> str:
        """The most likely studio category."""
        return max(self.probabilities, key=self.probabilities.__getitem__)

    @property
    def va(self) -> tuple[float, float]:
        return (self.valence, self.arousal)

    def to_dict(self) -> dict:
        return {
            "modality": self.modality,
            "category": self.category,
            "probabilities": {k: round(float(v), 4) for k, v in self.probabilities.items()},
            "valence": round(float(self.valence), 4),
            "arousal": round(float(self.arousal), 4),
            "dominance": round(float(self.dominance), 4),
            "confidence": round(float(self.confidence), 4),
            **({"extra": self.extra} if self.extra else {}),
        }

    @classmethod
    def from_dict(cls, d: dict) -> EmotionEstimate:
        return cls(d["modality"], dict(d["probabilities"]), float(d["valence"]),
                   float(d["arousal"]), float(d.get("dominance", 0.0)),
                   float(d.get("confidence", 0.0)), dict(d.get("extra", {})))


def category_vector(probabilities: dict[str, float]) -> np.ndarray:
    """(len(CATEGORIES),) float64 probabilities in CATEGORIES order (missing ones 0)."""
    return np.array([float(probabilities.get(c, 0.0)) for c in CATEGORIES])


def expected_vad(probabilities: dict[str, float]) -> tuple[float, float, float]:
    """The probability-weighted mean of the category prototypes' (valence, arousal, dominance)."""
    p = category_vector(probabilities)
    p = p / max(p.sum(), 1e-12)
    vad = np.array([CATEGORY_VAD[c] for c in CATEGORIES])
    v, a, d = (p @ vad).tolist()
    return float(v), float(a), float(d)


def estimate_from_probabilities(modality: str, probabilities: dict[str, float],
                                extra: dict | None = None) -> EmotionEstimate:
    """An estimate whose VAD point is the expected prototype under ``probabilities``."""
    v, a, d = expected_vad(probabilities)
    full = {c: float(probabilities.get(c, 0.0)) for c in CATEGORIES}
    return EmotionEstimate(modality, full, v, a, d, max(full.values()), dict(extra or {}))


def fuse(estimates: list[EmotionEstimate], weights: list[float] | None = None) -> EmotionEstimate:
    """Weighted average of several modalities' probabilities and VAD points (modality "fused")."""
    if not estimates:
        raise ValueError("nothing to fuse")
    w = np.asarray(weights if weights is not None else [1.0] * len(estimates), float)
    w = w / w.sum()
    p = sum(wi * category_vector(e.probabilities) for wi, e in zip(w, estimates))
    p = p / max(p.sum(), 1e-12)
    probs = {c: float(x) for c, x in zip(CATEGORIES, p)}
    v = float(sum(wi * e.valence for wi, e in zip(w, estimates)))
    a = float(sum(wi * e.arousal for wi, e in zip(w, estimates)))
    d = float(sum(wi * e.dominance for wi, e in zip(w, estimates)))
    return EmotionEstimate("fused", probs, v, a, d, max(probs.values()),
                           {"modalities": [e.modality for e in estimates],
                            "weights": [round(float(x), 4) for x in w]})
